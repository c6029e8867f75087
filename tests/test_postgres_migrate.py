"""qms migrate: an embedded register to PostgreSQL and back, trail and witnesses intact."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import sign_all
from pgserver import Server
from qmsdocs import audit, lifecycle
from qmsdocs.errors import RuleError
from qmsdocs.store import sha256_bytes
from qmsdocs.workspace import Workspace
from test_postgres import DOC, qms


def _released(records: Path, plan_xlsx: Path) -> Path:
    ws = Workspace.open(records, write=True)
    try:
        lifecycle.new(ws, "plan", plan_xlsx)
        sign_all(ws, DOC)
        lifecycle.release(ws, DOC)
    finally:
        ws.close()
    return records / "documents" / DOC / f"{DOC}_1.0.docx"


def test_sqlite_to_postgresql_and_back(records: Path, pg_url: str, plan_xlsx: Path, tmp_path: Path) -> None:
    released = _released(records, plan_xlsx)
    witness = tmp_path / "witness.docx"
    witness.write_bytes(released.read_bytes())
    head = json.loads(qms(records, "log", "--json")[1])["entries"][-1]
    code, out, err = qms(records, "migrate", "--to", pg_url, "--json")
    assert (code, err) == (0, ""), err
    moved = json.loads(out)
    assert moved["engine"] == "postgresql" and moved["chain"] == f"{head['seq']}:{head['hash']}"
    assert moved["rows"]["audit"] == head["seq"] and moved["rows"]["documents"] == 1
    assert Path(moved["kept"]).is_file() and not (records / "register.sqlite").exists()
    assert f'url = "{pg_url}"' in (records / "qms.toml").read_text(encoding="utf-8")
    code, out, err = qms(records, "log", "--verify", "--witness", str(witness))
    assert (code, err) == (0, ""), err
    assert "Audit trail intact." in out
    # Work goes on there: the counter continues after the copied numbers, ids after the copied ids.
    code, out, err = qms(records, "new", "plan", "--data", str(plan_xlsx), "--json")
    assert code == 0 and json.loads(out)["doc_no"] == "HO-JZ-KP-2026-002"
    code, out, err = qms(records, "migrate", "--to", "sqlite", "--json")
    assert (code, err) == (0, ""), err
    assert json.loads(out)["engine"] == "sqlite" and (records / "register.sqlite").is_file()
    assert "[register]" not in (records / "qms.toml").read_text(encoding="utf-8")
    code, out, err = qms(records, "log", "--verify", "--witness", str(witness))
    assert (code, err) == (0, ""), err
    ws = Workspace.open(records)
    try:
        assert ws.register.engine == "sqlite" and audit.verify(ws.register) == []
        assert [r["doc_no"] for r in ws.register.query("SELECT doc_no FROM documents ORDER BY id")] == [
            DOC, "HO-JZ-KP-2026-002"]
        data = witness.read_bytes()
        assert ws.store.load(sha256_bytes(data)) == data  # the released file came back into the folder's store
    finally:
        ws.close()


def test_a_target_holding_a_register_is_refused(records: Path, pg_records: Path, pg_server: Server) -> None:
    from qmsdocs import config

    url = config.load(pg_records / "qms.toml").register_url
    before = (records / "qms.toml").read_bytes()
    code, _, err = qms(records, "migrate", "--to", url)
    assert code == 1
    assert err.startswith("Error: ") and err.endswith(": already holds a qmsdocs register; the target of a migration "
                                                      "must be an empty database (to work on that register, join it: "
                                                      "qms init DIR --database URL)\n")
    assert (records / "qms.toml").read_bytes() == before and (records / "register.sqlite").is_file()


def test_migrating_back_into_a_folder_with_a_register_is_refused(pg_records: Path) -> None:
    (pg_records / "register.sqlite").write_bytes(b"")
    code, _, err = qms(pg_records, "migrate", "--to", "sqlite")
    assert (code, err) == (1, f"Error: {pg_records / 'register.sqlite'}: already exists; the target of a migration "
                              "must be empty (move it away first)\n")


def test_a_writer_that_waited_through_a_migration_writes_nothing(records: Path, pg_url: str,
                                                                 plan_xlsx: Path) -> None:
    waiting = Workspace.open(records, write=True)  # opened before the migration, as a waiting writer had
    try:
        assert qms(records, "migrate", "--to", pg_url)[0] == 0
        with pytest.raises(RuleError) as info:
            lifecycle.new(waiting, "plan", plan_xlsx)
    finally:
        waiting.close()
    assert str(info.value) == (f"{records}: the register moved while this command waited (qms.toml names another "
                               "one now); run the command again")
    code, out, _ = qms(records, "list", "--json")
    assert (code, json.loads(out)) == (0, {"documents": []})
