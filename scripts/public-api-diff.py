#!/usr/bin/env python3
"""Lists the public symbols added and removed between two symbol graphs of the SealedJournal
module (as written by `scripts/public-api.py`, under .build/<triple>/symbolgraph/).

Usage: python3 scripts/public-api-diff.py OLD/SealedJournal.symbols.json NEW/SealedJournal.symbols.json
Synthesized members and non-public symbols are left out, as in public-api.py.
"""
import json
import sys


def public_symbols(path):
    graph = json.load(open(path))
    found = set()
    for symbol in graph["symbols"]:
        identifier = symbol["identifier"]["precise"]
        if "::SYNTHESIZED::" in identifier or symbol.get("accessLevel") not in ("public", "open"):
            continue
        found.add((symbol["kind"]["displayName"], ".".join(symbol["pathComponents"])))
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old, new = public_symbols(sys.argv[1]), public_symbols(sys.argv[2])
    print(f"{len(old)} -> {len(new)} public symbols")
    for sign, items in (("-", sorted(old - new)), ("+", sorted(new - old))):
        print(f"{'removed' if sign == '-' else 'added'}: {len(items)}")
        for kind, name in items:
            print(f"  {sign} {kind:18} {name}")


if __name__ == "__main__":
    main()
