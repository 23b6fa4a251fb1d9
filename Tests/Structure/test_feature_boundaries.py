"""The boundary check itself: it passes on a tree whose features meet through interfaces and fails,
naming file and line, on one where a feature reaches into another or the kit names a feature."""
import pathlib
import subprocess
import sys

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "feature-boundaries.py"


def tree(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)


BASE = {
    "App/PageContext.swift": "struct Option {}\n",
    "Meetings/MeetingModels.swift": "final class Meeting {}\n",
    "Meetings/MeetingAccess.swift": "enum MeetingAccess {}\n",
    "Meetings/MeetingPages.swift": "struct MeetingPages { let o = Option() }\n",
    "Guides/GuidesInterface.swift": "enum AgreedGoals {}\n",
}


def test_interfaces_models_and_the_kit_may_be_named(tmp_path):
    result = tree(tmp_path, BASE | {
        "Guides/GuidePages.swift": "struct GuidePages { let m: Meeting; let a = MeetingAccess.self }\n",
        "App/SamradApp.swift": "let all = [MeetingPages(), GuidePages()]\n",
    })
    assert result.returncode == 0, result.stdout


def test_a_page_type_of_another_feature_fails_with_its_line(tmp_path):
    result = tree(tmp_path, BASE | {
        "Guides/GuidePages.swift": "struct GuidePages {\n    // MeetingPages in a comment is fine\n    let p = MeetingPages()\n}\n",
    })
    assert result.returncode == 1
    assert "Guides/GuidePages.swift:3: Guides names MeetingPages, inside Meetings" in result.stdout
    assert ":2:" not in result.stdout


def test_the_kit_naming_a_feature_fails(tmp_path):
    result = tree(tmp_path, BASE | {"App/Audit.swift": "enum Audit { static let g = AgreedGoals.self }\n"})
    assert result.returncode == 1
    assert "App/Audit.swift:1: the kit names AgreedGoals of Guides" in result.stdout
