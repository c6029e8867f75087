"""Edits behind qmsdocs's back: every single-field edit of the register file is caught by log --verify."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import PASSWORD, ROOT, sign_all, today_is
from qmsdocs import audit, copies, lifecycle
from qmsdocs.db.schema import TRACKED
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory, _roster_template: Path) -> Path:
    """Return a workspace whose every tracked table holds rows: revisions in every state, copies, a review."""
    root = tmp_path_factory.mktemp("rich") / "ws"
    shutil.copytree(_roster_template, root)
    with today_is("2026-11-20"):
        w = Workspace.open(root, write=True)
        lifecycle.new(w, "plan", ROOT / "records" / "plan.xlsx")
        sign_all(w, DOC)
        lifecycle.release(w, DOC)
        copies.issue(w, DOC, "Team 1")
        lifecycle.review(w, DOC, "still adequate", "Admin", password=PASSWORD)
        lifecycle.revise(w, DOC, "CR-1", "Wang Jianguo", "change", password=PASSWORD)
        sign_all(w, DOC)
        lifecycle.release(w, DOC, "2026-12-01")
        assert audit.verify(w.register) == []
        w.close()
    return root


def _cells(root: Path) -> list[tuple[str, int, str, object]]:
    with sqlite3.connect(root / "register.sqlite") as conn:
        out = []
        for table in TRACKED:
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                out.extend((table, row[0], name, value) for name, value in zip(names, row) if name != "id")
    return out


def _changed(value: object) -> object:
    if value is None:
        return "x"
    if isinstance(value, int):
        return value + 1000  # far from every other row: unique columns stay unique
    if isinstance(value, bytes):
        return value + b"x"
    return f"{value}x"


def _problems_after(rich: Path, tmp_path: Path, sql: str, params: tuple = ()) -> list[str]:
    root = tmp_path / "copy"
    shutil.copytree(rich, root)
    with sqlite3.connect(root / "register.sqlite") as conn:
        conn.execute(sql, params)
    w = Workspace.open(root)
    try:
        return audit.verify(w.register)
    finally:
        w.close()


def test_every_tracked_table_has_rows(rich: Path) -> None:
    assert {table for table, *_ in _cells(rich)} == set(TRACKED)


def test_every_single_field_edit_is_named(rich: Path, tmp_path: Path) -> None:
    cells = _cells(rich)
    assert len(cells) > 200
    register = rich / "register.sqlite"
    missed = []
    for table, row_id, field, value in cells:
        work = tmp_path / "register.sqlite"
        shutil.copy(register, work)
        with sqlite3.connect(work) as conn:
            conn.execute(f"UPDATE {table} SET {field} = ? WHERE id = ?", (_changed(value), row_id))
        from qmsdocs.db.sqlite import SQLiteRegister

        reg = SQLiteRegister(work, readonly=True)
        try:
            problems = audit.verify(reg)
        finally:
            reg.close()
        if not any(f"register table {table}, row {row_id}, field {field}:" in p for p in problems):
            missed.append((table, row_id, field))
    assert missed == []


@pytest.mark.parametrize("table", TRACKED)
def test_deleted_rows_are_named(rich: Path, tmp_path: Path, table: str) -> None:
    with sqlite3.connect(rich / "register.sqlite") as conn:
        first = conn.execute(f"SELECT id FROM {table} ORDER BY id LIMIT 1").fetchone()[0]
    deleted = _problems_after(rich, tmp_path, f"DELETE FROM {table} WHERE id = ?", (first,))
    assert f"register table {table}, row {first}: deleted outside qms (the audit trail holds it)" in deleted


@pytest.mark.parametrize("table", ["revisions", "signatures", "people"])
def test_a_row_inserted_outside_qms_is_named(rich: Path, tmp_path: Path, table: str) -> None:
    with sqlite3.connect(rich / "register.sqlite") as conn:
        cursor = conn.execute(f"SELECT * FROM {table} ORDER BY id LIMIT 1")
        names = [d[0] for d in cursor.description]
        row = list(cursor.fetchone())
        new_id = conn.execute(f"SELECT MAX(id) + 100 FROM {table}").fetchone()[0]
    row[0] = new_id
    for index, name in enumerate(names):  # keep unique columns unique
        if name in ("account", "name_key", "doc_no") and isinstance(row[index], str):
            row[index] = row[index] + "-planted"
        if name == "major":
            row[index] += 1000
    marks = ", ".join("?" * len(row))
    problems = _problems_after(rich, tmp_path, f"INSERT INTO {table} VALUES ({marks})", tuple(row))
    assert any(p.startswith(f"register table {table}, row {new_id}: not in the audit trail") for p in problems), \
        problems


def test_removing_the_newest_trail_entry_and_the_head_is_caught(rich: Path, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(rich, root)
    with sqlite3.connect(root / "register.sqlite") as conn:
        conn.execute("DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)")
        conn.execute("DELETE FROM audit_head")
    w = Workspace.open(root)
    try:
        problems = audit.verify(w.register)
    finally:
        w.close()
    assert problems, "a shortened trail verified"


def test_a_trail_entry_edited_is_named(rich: Path, tmp_path: Path) -> None:
    problems = _problems_after(rich, tmp_path, "UPDATE audit SET actor = 'Someone' WHERE seq = 3")
    assert any("entry 3" in p for p in problems), problems
