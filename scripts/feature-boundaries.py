#!/usr/bin/env python3
"""Checks that the server's features reach each other only through named interfaces.

Every folder under Sources/SamradServer is a feature, except the kit (App, Background, Mail, Storage),
which knows no feature, and the composition root (App/SamradApp.swift, App/Server.swift), which
knows them all. A feature may name the types of the kit, of SamradCore and of Vapor freely; of
another feature only the types declared in that feature's interface files: `*Models.swift` (its
tables), `*Access.swift` (the loader every route of its objects starts from) and
`*Interface.swift` (what it offers other features). Prints every other reference with file and
line and exits 1 when there is one.
"""
import pathlib
import re
import sys

DEFAULT_ROOT = pathlib.Path(__file__).resolve().parent.parent / "Sources" / "SamradServer"
KIT = {"App", "Background", "Mail", "Storage"}
COMPOSITION_ROOT = {"App/SamradApp.swift", "App/Server.swift"}
INTERFACE_FILE = re.compile(r"(Models|Access|Interface)\.swift$")
DECLARATION = re.compile(
    r"^(?:public |final |private |fileprivate |internal )*(?:struct|enum|class|protocol|actor|typealias)\s+(\w+)")
IDENTIFIER = re.compile(r"\b[A-Z]\w*\b")


def code_lines(text):
    """The file's lines with comments and string literals blanked, so words in them do not count."""
    text = re.sub(r'"""[\s\S]*?"""', lambda m: '""' + "\n" * m.group(0).count("\n"), text)
    lines = []
    for line in text.split("\n"):
        line = re.sub(r'"(?:\\.|[^"\\])*"', '""', line)
        line = re.sub(r"//.*", "", line)
        lines.append(line)
    return lines


def main(root=DEFAULT_ROOT):
    files = sorted(p for p in root.rglob("*.swift"))
    declared = {}  # type name -> (feature, is interface)
    for path in files:
        feature = path.relative_to(root).parts[0]
        for line in code_lines(path.read_text()):
            match = DECLARATION.match(line)
            if match:
                declared[match.group(1)] = (feature, bool(INTERFACE_FILE.search(path.name)))
    problems = []
    for path in files:
        relative = path.relative_to(root)
        feature = relative.parts[0]
        if str(relative) in COMPOSITION_ROOT:
            continue
        for number, line in enumerate(code_lines(path.read_text()), 1):
            for name in IDENTIFIER.findall(line):
                owner = declared.get(name)
                if owner is None or owner[0] == feature or owner[0] in KIT:
                    continue
                if feature in KIT:
                    problems.append(f"{relative}:{number}: the kit names {name} of {owner[0]}")
                elif not owner[1]:
                    problems.append(f"{relative}:{number}: {feature} names {name}, inside {owner[0]}")
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} references across features outside their interfaces", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ROOT))
