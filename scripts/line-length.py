#!/usr/bin/env python3
"""Lines of at most 120 characters in the Swift sources, the tests and the templates: prints each
longer line with file and line and exits 1 when there is one."""
import pathlib
import sys

LIMIT = 120
ROOT = pathlib.Path(__file__).resolve().parent.parent
FILES = [*ROOT.glob("Sources/**/*.swift"), *ROOT.glob("Tests/**/*.swift"), *ROOT.glob("Sources/**/*.leaf"),
         *ROOT.glob("bench/**/*.swift"), ROOT / "Package.swift"]

long = []
for path in sorted(FILES):
    for number, line in enumerate(path.read_text().split("\n"), 1):
        if len(line) > LIMIT:
            long.append(f"{path.relative_to(ROOT)}:{number}: {len(line)} characters")
print("\n".join(long))
if long:
    print(f"{len(long)} lines over {LIMIT} characters", file=sys.stderr)
sys.exit(1 if long else 0)
