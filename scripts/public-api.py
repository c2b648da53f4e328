#!/usr/bin/env python3
"""Count the public API of a module from the compiler's symbol graph.

Usage: scripts/public-api.py [--module SealedJournal] [--list] [--undocumented] [--graph-dir DIR]

Without --graph-dir it runs `swift package dump-symbol-graph --skip-synthesized-members`
(a debug build of the package, then the symbol graphs; minimum access level public, no SPI) and
reads MODULE.symbols.json plus MODULE@OTHER.symbols.json (extensions of other modules' types).
Counted: every symbol whose access level is public or open, except compiler-synthesized ones
(precise identifiers containing ::SYNTHESIZED::, such as protocol default implementations
inherited by a conforming type, or Equatable's `!=`). Prints one line per kind, then the total.
--list prints each symbol (kind, path); --undocumented lists those without a doc comment and
exits 1 when there is any (the symbol-graph check behind scripts/check-doc-comments.py).
"""
import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys


def graph_dir_from_swiftpm():
    result = subprocess.run(["swift", "package", "dump-symbol-graph", "--skip-synthesized-members"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        sys.exit(result.returncode)
    match = re.search(r"Files written to (\S+)", result.stdout + result.stderr)
    if not match:
        sys.stderr.write("could not find the symbol graph directory in:\n" + result.stdout + result.stderr)
        sys.exit(1)
    return match.group(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default="SealedJournal")
    parser.add_argument("--graph-dir")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--undocumented", action="store_true")
    args = parser.parse_args()

    directory = args.graph_dir or graph_dir_from_swiftpm()
    files = [os.path.join(directory, f"{args.module}.symbols.json")]
    files += sorted(glob.glob(os.path.join(directory, f"{args.module}@*.symbols.json")))
    symbols = {}
    for path in files:
        if not os.path.exists(path):
            sys.exit(f"no symbol graph at {path}")
        with open(path, encoding="utf-8") as handle:
            for symbol in json.load(handle)["symbols"]:
                identifier = symbol["identifier"]["precise"]
                if "::SYNTHESIZED::" in identifier or symbol.get("accessLevel") not in ("public", "open"):
                    continue
                symbols[identifier] = symbol

    by_kind = collections.Counter(s["kind"]["displayName"] for s in symbols.values())
    for kind, count in sorted(by_kind.items(), key=lambda item: (-item[1], item[0])):
        print(f"{count:5d}  {kind}")
    print(f"{len(symbols):5d}  public symbols in {args.module}")

    def name(symbol):
        return ".".join(symbol["pathComponents"])

    if args.list:
        for symbol in sorted(symbols.values(), key=name):
            print(f"{symbol['kind']['displayName']}\t{name(symbol)}")
    if args.undocumented:
        missing = sorted(name(s) for s in symbols.values() if not s.get("docComment", {}).get("lines"))
        for entry in missing:
            print(f"undocumented: {entry}")
        print(f"{len(missing)} public symbol(s) without a doc comment", file=sys.stderr)
        return 1 if missing else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
