/// A tiny HTML/SVG tree that escapes by construction: text and attribute values are always
/// escaped when rendered; only the page's own compile-time constants (its stylesheet) go out
/// unescaped. Nothing from a journal can add markup, close an element, or run a script.
///
/// Why not a library: the page needs about thirty element names, HTML and SVG mixed, and one
/// escaping rule; a typed DSL (JohnSundell/Plot) would add a dependency and its own SVG
/// workarounds for less than a hundred lines of code we can read in one sitting.
struct Node: Sendable {
    fileprivate enum Kind: Sendable {
        case element(name: String, attributes: [(String, String)], children: [Node])
        case text(String)
        case constant(StaticString)
        case fragment([Node])
    }

    fileprivate let kind: Kind

    /// An element; `name` and attribute names are our own constants, attribute values are escaped.
    static func element(_ name: String, _ attributes: [(String, String)] = [], _ children: [Node] = []) -> Node {
        Node(kind: .element(name: name, attributes: attributes, children: children))
    }

    /// Text, escaped (control and bidirectional-override characters made visible).
    static func text(_ text: String) -> Node { Node(kind: .text(text)) }

    /// Markup written in this module's source (the stylesheet): never journal text.
    static func constant(_ markup: StaticString) -> Node { Node(kind: .constant(markup)) }

    /// Several nodes side by side.
    static func fragment(_ nodes: [Node]) -> Node { Node(kind: .fragment(nodes)) }

    static let voidElements: Set<String> = ["meta", "br", "hr", "col"]

    /// The markup.
    func render() -> String {
        var out = ""
        render(into: &out)
        return out
    }

    func render(into out: inout String) {
        switch kind {
        case let .text(text):
            out += HTMLEscaping.text(text)
        case let .constant(markup):
            out += markup.description
        case let .fragment(nodes):
            for node in nodes { node.render(into: &out) }
        case let .element(name, attributes, children):
            out += "<" + name
            for (attribute, value) in attributes {
                out += " " + attribute + "=\"" + HTMLEscaping.attribute(value) + "\""
            }
            out += ">"
            if Node.voidElements.contains(name) { return }
            for child in children { child.render(into: &out) }
            out += "</" + name + ">"
        }
    }
}

/// Shorthands that keep the page code readable.
func el(_ name: String, _ attributes: [(String, String)] = [], _ children: Node...) -> Node {
    .element(name, attributes, children)
}

func el(_ name: String, _ attributes: [(String, String)] = [], children: [Node]) -> Node {
    .element(name, attributes, children)
}

func txt(_ text: String) -> Node { .text(text) }

/// The escaping rules.
enum HTMLEscaping {
    /// Escapes `& < > " '` and makes invisible or page-altering characters visible: C0 controls
    /// (but tab and newline) become control pictures (`␛`), DEL `␡`, C1 controls, bidirectional
    /// marks and overrides and byte-order marks `⟨U+202E⟩`. Carriage returns become newlines.
    static func text(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case "\r": out += "\n"
            default:
                let value = scalar.value
                if value < 0x20, let picture = Unicode.Scalar(0x2400 + value) {
                    out.unicodeScalars.append(picture)
                } else if value == 0x7F {
                    out += "\u{2421}"
                } else if (0x80..<0xA0).contains(value) || [0x061C, 0x200E, 0x200F, 0xFEFF].contains(value)
                            || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
                            || (0xFFF9...0xFFFB).contains(value) || value & 0xFFFE == 0xFFFE {
                    out += "⟨U+" + hex(value) + "⟩"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// As ``text(_:)``; newlines and tabs become spaces too (attribute values are one line).
    static func attribute(_ value: String) -> String {
        text(value).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
