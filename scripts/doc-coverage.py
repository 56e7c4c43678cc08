#!/usr/bin/env python3
"""Lists the public declarations that have no doc comment, from the symbol graphs that
`swift package generate-documentation` extracts, and exits 1 if there is any.

Usage: doc-coverage.py MODULE.symbols.json...

Counted: every public or open symbol declared in the package's own sources (one with a
source location); members the compiler synthesises, or inherits from a protocol extension
in another module, are not. An implementation of a requirement of one of the module's own
protocols may go without a comment of its own: it shows the requirement's (the symbol
graph carries it over). The standard library's generic comments (the symbol graph gives
"A textual representation of this instance." to every `description`) do not count.
"""
import json
import sys

missing = []
documented = total = 0
for path in sys.argv[1:]:
    with open(path) as f:
        graph = json.load(f)
    module = graph["module"]["name"]
    module_total = module_missing = 0
    for symbol in graph["symbols"]:
        location = symbol.get("location")
        if location is None or symbol.get("accessLevel") not in ("public", "open"):
            continue
        module_total += 1
        comment = symbol.get("docComment")
        if comment and comment.get("module", module) == module:
            continue
        module_missing += 1
        file = location["uri"].split("/Sources/", 1)[-1]
        line = location["position"]["line"] + 1
        kind = symbol["kind"]["displayName"].lower()
        missing.append((f"Sources/{file}", line, f"{kind} {'.'.join(symbol['pathComponents'])}"))
    print(f"doc comments: {module}: "
          f"{module_total - module_missing} of {module_total} public declarations")
    total += module_total
    documented += module_total - module_missing

for file, line, what in sorted(set(missing)):
    print(f"{file}:{line}: no doc comment: {what}")
sys.exit(1 if missing else 0)
