"""Files planted in the workspace under the names of its own files: links, folders, pending files and
objects whose bytes are not their name. Every command ends in success or one clean Error: line, and
nothing outside the workspace is read through a link or changed."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from attack import EFFECTIVE, SCORES, SIGNED, _populated_template, populated, referenced_objects, snapshot
from conftest import PASSWORD, write_plan
from qmsdocs.cli import cli

__all__ = ["_populated_template", "populated"]  # fixtures


def run(records: Path, *args: str) -> Any:
    result = CliRunner().invoke(cli, ["--records", str(records), *args], input=PASSWORD + "\n",
                                catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output + result.stderr
    if result.exit_code:
        errors = [line for line in result.stderr.splitlines() if not line.startswith("Warning: ")]
        assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
    return result


def every_command(records: Path, tmp_path: Path) -> dict[str, Any]:
    """Run reading and writing commands of every kind; return each result by name."""
    plan = write_plan(tmp_path / "plan.xlsx")
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    doc = next((records / "documents").glob(f"*/{EFFECTIVE}_1.0.docx"), None)
    return {
        "list": run(records, "list"),
        "show": run(records, "show", EFFECTIVE),
        "pending": run(records, "pending"),
        "verify-file": run(records, "verify", str(doc)) if doc is not None and doc.is_file() else None,
        "new": run(records, "new", "plan", "--data", str(plan)),
        "release": run(records, "release", SIGNED),
        "results": run(records, "results", SCORES, "--xlsx", str(out / "r.xlsx")),
        "export": run(records, "export", "-o", str(out / "p.zip")),
        "log": run(records, "log", "--verify"),
        "repair": run(records, "repair", "--by", "Admin", "--password-stdin"),
    }


def _sha_path(records: Path, sha: str) -> Path:
    return records / "store" / "objects" / sha[:2] / sha


def _effective_render(records: Path) -> str:
    data = (records / "documents" / EFFECTIVE / f"{EFFECTIVE}_1.0.docx").read_bytes()
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """Return a folder outside the workspace with a file in it, the target of planted links."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_bytes(b"not for qmsdocs\n")
    return folder


def plant_pending(records: Path, outside: Path) -> None:
    for folder in (records, records / "store" / "objects", records / "documents" / EFFECTIVE):
        (folder / ".qms-pending-1234.json").write_text('{"action": "release", "doc_no": "X"}')
    (records / ".qms-pending-link.json").symlink_to(outside / "secret.txt")


def plant_lock_link(records: Path, outside: Path) -> None:
    (records / ".qms.lock").unlink()
    (records / ".qms.lock").symlink_to(outside / "secret.txt")


def plant_lock_folder(records: Path, outside: Path) -> None:
    (records / ".qms.lock").unlink()
    (records / ".qms.lock").mkdir()


def plant_object_links(records: Path, outside: Path) -> None:
    """Every referenced object becomes a link to an outside file holding the very same bytes."""
    for sha in referenced_objects(records):
        path = _sha_path(records, sha)
        copy = outside / sha
        copy.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(copy)


def plant_object_folder_link(records: Path, outside: Path) -> None:
    sha = _effective_render(records)
    folder = records / "store" / "objects" / sha[:2]
    (outside / sha[:2]).mkdir()
    for path in folder.iterdir():
        (outside / sha[:2] / path.name).write_bytes(path.read_bytes())
        path.unlink()
    folder.rmdir()
    folder.symlink_to(outside / sha[:2])


def plant_document_folder_link(records: Path, outside: Path) -> None:
    """documents/DOC of the draft to be released is a link to an outside folder."""
    folder = records / "documents" / SIGNED
    for path in folder.iterdir():
        (outside / path.name).write_bytes(path.read_bytes())
        path.unlink()
    folder.rmdir()
    folder.symlink_to(outside)


def plant_altered_object(records: Path, outside: Path) -> None:
    path = _sha_path(records, _effective_render(records))
    os.chmod(path, 0o644)
    path.write_bytes(b"planted bytes under the name of a released file")


def plant_object_for_the_next_input(records: Path, outside: Path) -> None:
    """An object named as the next command's input will be, holding other bytes."""
    plan = write_plan(outside.parent / "plan.xlsx")
    path = _sha_path(records, hashlib.sha256(plan.read_bytes()).hexdigest())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"planted")


PLANTS: dict[str, Callable[[Path, Path], None]] = {
    "pending-files": plant_pending, "lock-link": plant_lock_link, "lock-folder": plant_lock_folder,
    "object-links": plant_object_links, "object-folder-link": plant_object_folder_link,
    "document-folder-link": plant_document_folder_link, "altered-object": plant_altered_object,
    "object-for-next-input": plant_object_for_the_next_input,
}
# Which commands are refused (exit 1), for each plant; every other command succeeds.
REFUSED = {
    "pending-files": set(),
    "lock-link": {"new", "release", "repair"},
    "lock-folder": {"new", "release", "repair"},
    "object-links": {"new", "release", "results", "export", "log", "repair", "show"},  # show reads the bundles
    # Only the commands that read or write objects behind the link notice it (which those are
    # depends on the hashes of the files, see MAY).
    "object-folder-link": {"export", "log"},
    "document-folder-link": set(),
    "altered-object": {"export", "log"},
    "object-for-next-input": set(),
}


# Commands that may be refused besides, when they store an object whose name falls in a linked folder.
MAY = {"object-folder-link": {"new", "release", "repair"}}


@pytest.mark.parametrize("plant", PLANTS)
def test_planted_files_give_success_or_one_clean_error(populated: Path, outside: Path, tmp_path: Path,
                                                       plant: str) -> None:
    PLANTS[plant](populated, outside)
    before = snapshot(outside)
    results = every_command(populated, tmp_path)
    refused = {name for name, r in results.items() if r is not None and r.exit_code}
    refused -= {name for name in MAY.get(plant, set()) if "is a symbolic link inside the workspace" in
                results[name].stderr}
    assert refused == REFUSED[plant], {n: results[n].stderr for n in refused ^ REFUSED[plant] if results[n]}
    assert snapshot(outside) == before  # nothing read through a link was written, nothing outside changed
    if plant == "pending-files":
        assert (populated / ".qms-pending-1234.json").read_text() == '{"action": "release", "doc_no": "X"}'
    if plant in ("lock-link", "lock-folder"):
        what = "is a symbolic link" if plant == "lock-link" else "is not a regular file"
        assert results["new"].stderr == f"Error: {populated / '.qms.lock'}: {what}; remove it\n"
        assert results["export"].stderr == ("Warning: the export was not recorded in the audit trail "
                                            f"({populated / '.qms.lock'}: {what}; remove it)\n")
    if plant == "object-links":
        assert results["log"].stderr.startswith("Error: ")
        assert "is not a regular file (a link, folder or device was put in its place)" in results["log"].stderr
    if plant == "altered-object":
        sha = _effective_render(populated)
        assert f"store: object {sha[:12]}… was altered (its bytes no longer match its sha256)" in results["log"].stderr
        assert results["export"].stderr.startswith(f"Error: the stored {EFFECTIVE} 1.0 (object {sha[:12]}…) "
                                                   "was altered")
    if plant == "object-for-next-input":  # the planted bytes were replaced by the real ones
        assert results["log"].exit_code == 0
    if plant == "document-folder-link":
        assert "is a symbolic link inside the workspace" in results["release"].stderr
