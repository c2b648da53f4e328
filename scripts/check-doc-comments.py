#!/usr/bin/env python3
"""List every public declaration of the library targets that has no `///` doc comment.

Usage: scripts/check-doc-comments.py [--count] [DIR ...]
       scripts/check-doc-comments.py --self-test   (checks the scanner on a sample it carries)
       (default DIRs: Sources/SealedJournal Sources/SealedJournalHTML)

A declaration is public when it says `public` or `open` (also `public private(set)`,
`@_spi(...) public`), or when it has no access modifier and sits directly in a public protocol
(requirements), in a `public extension`, or is an enum `case` of a public enum. It is documented
when the nearest line above it, skipping attribute lines (`@inlinable`, `@discardableResult`,
`@available(...)`), is a `///` line or closes a `/** ... */` block. Extensions are not symbols and
need no comment. Exit status 1 (and one `path:line: declaration` line each) when any is missing.

The scan is lexical (comments and string literals are skipped when tracking braces); it is kept
honest by `scripts/public-api.py --undocumented`, which asks the compiler's symbol graph.
"""
import os
import re
import sys

DECL_KEYWORDS = r"(?:func|init|deinit|subscript|var|let|case|enum|struct|class|actor|protocol|typealias|associatedtype|extension|macro|operator|precedencegroup)"
MODIFIERS = (
    r"(?:(?:public|open|internal|fileprivate|private|package)(?:\((?:set|get)\))?|static|class|final|override|"
    r"mutating|nonmutating|convenience|required|lazy|weak|unowned|indirect|dynamic|optional|"
    r"nonisolated(?:\(unsafe\))?|consuming|borrowing|async|distributed|prefix|postfix|infix|isolated)"
)
ATTRIBUTE = r"@[A-Za-z_][A-Za-z0-9_]*(?:\([^()]*(?:\([^()]*\)[^()]*)*\))?"
DECL_RE = re.compile(
    rf"^\s*(?P<attrs>(?:{ATTRIBUTE}\s+)*)(?P<mods>(?:{MODIFIERS}\s+)*)(?P<kw>{DECL_KEYWORDS})\b"
)
ATTRIBUTE_LINE_RE = re.compile(rf"^\s*(?:{ATTRIBUTE}\s*)+$")
TYPE_KEYWORDS = {"enum", "struct", "class", "actor", "protocol", "extension"}


def strip_code(text):
    """The source with comments and string literal contents blanked (newlines kept), so braces
    can be counted."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' or (c == "#" and re.match(r'#+"', text[i:])):
            hashes = len(re.match(r"#*", text[i:]).group(0))
            start = i + hashes
            multi = text.startswith('"""', start)
            quote = '"""' if multi else '"'
            closing = quote + "#" * hashes
            j = start + len(quote)
            while j < n:
                if hashes == 0 and text[j] == "\\":
                    if text.startswith("\\(", j):  # interpolation: skip balanced parentheses
                        depth, j = 1, j + 2
                        while j < n and depth:
                            depth += {"(": 1, ")": -1}.get(text[j], 0)
                            j += 1
                        continue
                    j += 2
                    continue
                if text.startswith(closing, j):
                    j += len(closing)
                    break
                if not multi and text[j] == "\n":
                    break
                j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def is_public(mods, context):
    words = set(re.findall(r"\b(public|open|internal|fileprivate|private|package)\b(?!\()", mods))
    if words & {"public", "open"}:
        return True
    if words:
        return False
    return context in ("public-protocol", "public-extension")


def documented(lines, index):
    """Whether the declaration on lines[index] has a doc comment directly above it."""
    j = index - 1
    while j >= 0 and ATTRIBUTE_LINE_RE.match(lines[j]):
        j -= 1
    if j < 0:
        return False
    above = lines[j].strip()
    return above.startswith("///") or (above.endswith("*/") and "/**" in "\n".join(lines[max(0, j - 200):j + 1]))


def scan(path):
    text = open(path, encoding="utf-8").read()
    raw_lines = text.split("\n")
    code_lines = strip_code(text).split("\n")
    missing = []
    # Stack of contexts, one per open brace: "public-type", "public-enum", "public-protocol",
    # "public-extension", "type" (not public) or "body" (function, closure, control flow...).
    stack = []
    pending = None  # the context the next "{" opens
    for number, (raw, code) in enumerate(zip(raw_lines, code_lines)):
        context = stack[-1] if stack else "file"
        in_type = context in ("file", "public-type", "public-enum", "public-protocol", "public-extension", "type")
        match = DECL_RE.match(code) if in_type else None
        if match:
            kw, mods = match.group("kw"), match.group("mods") + " " + match.group("attrs")
            if kw == "case":
                public = context == "public-enum"
            elif kw == "extension":
                public = False
            else:
                public = is_public(mods, context)
            if public and not documented(raw_lines, number):
                missing.append((number + 1, raw.strip()))
            if kw in TYPE_KEYWORDS:
                declared_public = is_public(mods, context) or (kw == "extension" and "public" in mods)
                if kw == "extension":
                    pending = "public-extension" if re.search(r"\bpublic\b", mods) else "type"
                elif not declared_public:
                    pending = "type"
                elif kw == "enum":
                    pending = "public-enum"
                elif kw == "protocol":
                    pending = "public-protocol"
                else:
                    pending = "public-type"
                # `public enum E { case a, b }`: cases on the brace's line cannot carry a comment.
                after_brace = code.split("{", 1)[1] if "{" in code else ""
                if pending == "public-enum" and re.search(r"\bcase\b", after_brace):
                    missing.append((number + 1, raw.strip() + "   <- its cases need their own lines and comments"))
            else:
                pending = "body"
        for char in code:
            if char == "{":
                stack.append(pending or "body")
                pending = None
            elif char == "}":
                if stack:
                    stack.pop()
    return missing


SELF_TEST_SOURCE = '''
/// Documented.
public struct Documented {
    /// Documented.
    public let a: Int
    public let b: Int                                   // MISSING
    let internalOne: Int
    private(set) var hidden = 0
    public private(set) var c = 0                       // MISSING
    /// Documented.
    @discardableResult
    public func d() -> Int { let s = "{ not a brace"; return s.count }
    public init() { a = 0; b = 0; internalOne = 0 }     // MISSING
    func body() {
        switch a { case 0: break; default: break }
    }
}
public enum Choice {                                    // MISSING
    /// Documented.
    case one
    case two, three                                     // MISSING
    /** Documented. */
    case four
}
/// Documented.
public enum Inline { case x, y }                        // MISSING
/// Documented.
public protocol Requirement {
    func required()                                     // MISSING
    /// Documented.
    var documented: Int { get }
}
extension Documented {
    public var e: Int { 1 }                             // MISSING
    var f: Int { 2 }
}
/// Documented.
public extension Documented {
    var g: Int { 3 }                                    // MISSING
    private var h: Int { 4 }
}
let text = """
public var inAString = 1
"""
struct Internal {
    public var publicInsideInternal = 1                 // MISSING
}
'''


def self_test():
    """Scans SELF_TEST_SOURCE: exactly the lines marked MISSING must be reported."""
    import tempfile
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "Sample.swift")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(SELF_TEST_SOURCE)
        found = {line for line, _ in scan(path)}
    expected = {n + 1 for n, line in enumerate(SELF_TEST_SOURCE.split("\n")) if line.rstrip().endswith("// MISSING")}
    if found != expected:
        print(f"check-doc-comments self-test FAILED: reported lines {sorted(found)}, expected {sorted(expected)}", file=sys.stderr)
        return 1
    print(f"check-doc-comments self-test: {len(expected)} missing comments found, none invented", file=sys.stderr)
    return 0


def main(argv):
    if "--self-test" in argv:
        return self_test()
    count_only = "--count" in argv
    roots = [a for a in argv if not a.startswith("--")] or ["Sources/SealedJournal", "Sources/SealedJournalHTML"]
    total = []
    for root in roots:
        for directory, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.endswith(".swift"):
                    path = os.path.join(directory, name)
                    total += [(path, line, decl) for line, decl in scan(path)]
    if not count_only:
        for path, line, decl in total:
            print(f"{path}:{line}: {decl}")
    print(f"{len(total)} public declaration(s) without a /// doc comment", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
