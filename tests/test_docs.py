"""The README's command reference and quick start stay true to the code."""
from __future__ import annotations

from pathlib import Path

from tools import cli_reference

ROOT = Path(__file__).resolve().parent.parent


def test_command_reference_matches_the_cli() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cli_reference.current_block(readme) == cli_reference.reference(), \
        "README command reference is stale: run python -m tools.cli_reference --write"


def test_every_command_is_documented() -> None:
    from qmsdocs.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"### qms {name}" in readme


def test_quick_start_is_two_make_targets() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "\ndemo:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_pictures_in_the_readme_exist() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme):
        assert (ROOT / picture).is_file(), picture
