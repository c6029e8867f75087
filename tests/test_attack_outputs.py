"""Every output option aimed at every file and folder of the workspace — by its path, through a link,
through a linked workspace folder, with its name in other letter case — is refused with exit 2 and
one Error: line, and the whole tree stays byte for byte as it was."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from attack import EFFECTIVE, SCORES, SCORES_XLSX, _populated_template, populated, snapshot
from qmsdocs.cli import cli

__all__ = ["_populated_template", "populated"]  # fixtures

# Each option, with the suffix its file must have ("" for a folder or any name).
OPTIONS = {
    "sheet -o": (["sheet", "plan", "--force", "-o"], ".xlsx"),
    "list --xlsx": (["list", "--force", "--xlsx"], ".xlsx"),
    "revlog -o": (["revlog", EFFECTIVE, "--force", "-o"], ".docx"),
    "results --xlsx": (["results", SCORES, "--force", "--xlsx"], ".xlsx"),
    "split --to": (["split", SCORES, "--force", "--to"], ""),
    "export -o": (["export", "--force", "-o"], ".zip"),
    "backup -o": (["backup", "--force", "-o"], ".zip"),
    "new --xlsx": (["new", "scores", "--data", str(SCORES_XLSX), "--force", "--xlsx"], ".xlsx"),
    "new --split": (["new", "scores", "--data", str(SCORES_XLSX), "--force", "--split"], ""),
}


def _targets(root: Path, links: Path, suffix: str) -> list[Path]:
    """Return every way to name each entry of the workspace (the workspace itself included)."""
    entries = [root] + sorted(p for p in root.rglob("*") if "exports" not in p.relative_to(root).parts)
    (links / "ws").symlink_to(root)
    out = []
    for n, entry in enumerate(entries):
        rel = entry.relative_to(root)
        link = links / f"link{n}{suffix}"
        link.symlink_to(entry)
        out += [entry, link, links / "ws" / rel, root / Path(*[part.swapcase() for part in rel.parts]) if rel.parts
                else root / "EXPORTS" / ".." / "x"]
    return out


@pytest.mark.parametrize("option", OPTIONS)
def test_no_output_option_writes_into_the_workspace(populated: Path, tmp_path: Path, option: str) -> None:
    args, suffix = OPTIONS[option]
    links = tmp_path / "links"
    links.mkdir()
    targets = _targets(populated, links, suffix)
    before = snapshot(populated)
    runner = CliRunner()
    for target in targets:
        result = runner.invoke(cli, ["--records", str(populated), *args, str(target)], catch_exceptions=False)
        assert result.exit_code == 2, (target, result.output)
        assert "Traceback" not in result.output + result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), (target, result.stderr)
        assert lines[0].startswith(f"Error: {args[-1]} ") or "must end in" in lines[0], lines[0]
        if target.name.endswith(suffix) and os.path.lexists(target):
            assert "is inside the workspace" in lines[0], (target, lines[0])
    assert snapshot(populated) == before
    assert sorted(p.name for p in tmp_path.rglob("*") if ".qms-" in p.name) == []
