"""qms migrate: an embedded register to PostgreSQL and back, trail and witnesses intact."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import PASSWORD, sign_all
from pgserver import Server
from qmsdocs import audit, lifecycle
from qmsdocs.errors import RuleError
from qmsdocs.store import sha256_bytes
from qmsdocs.workspace import Workspace
from test_postgres import DOC, qms, spawn

BY = ("--by", "Admin", "--password-stdin")


def migrate(records: Path, to: str, *args: str) -> tuple[int, str, str]:
    """Run qms migrate as the test roster's administrator."""
    return qms(records, "migrate", "--to", to, *BY, *args, stdin=PASSWORD + "\n")


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
    code, out, err = migrate(records, pg_url, "--json")
    assert (code, err) == (0, ""), err
    moved = json.loads(out)
    assert moved["engine"] == "postgresql" and moved["copied"] == f"{head['seq']}:{head['hash']}"
    assert moved["rows"]["audit"] == head["seq"] and moved["rows"]["documents"] == 1
    # The trail records the move: one entry after the copied ones, chained to the copied head.
    entries = json.loads(qms(records, "log", "--json")[1])["entries"]
    assert [e["seq"] for e in entries] == list(range(1, head["seq"] + 2))
    last = entries[-1]
    assert moved["chain"] == f"{last['seq']}:{last['hash']}"
    assert (last["action"], last["actor"], last["account"]) == ("migrate", "Admin", "admin")
    assert last["changes"] == {"from": {"engine": "sqlite", "register": "register.sqlite"},
                               "to": {"engine": "postgresql", "register": pg_url.split("host=")[1] + "/"
                                      + pg_url.split("/")[3].split("?")[0]}}
    assert Path(moved["kept"]).is_file() and not (records / "register.sqlite").exists()
    assert f'url = "{pg_url}"' in (records / "qms.toml").read_text(encoding="utf-8")
    code, out, err = qms(records, "log", "--verify", "--witness", str(witness))
    assert (code, err) == (0, ""), err
    assert "Audit trail intact." in out
    # Work goes on there: the counter continues after the copied numbers, ids after the copied ids.
    code, out, err = qms(records, "new", "plan", "--data", str(plan_xlsx), "--json")
    assert code == 0 and json.loads(out)["doc_no"] == "HO-JZ-KP-2026-002"
    code, out, err = migrate(records, "sqlite", "--json")
    assert (code, err) == (0, ""), err
    assert json.loads(out)["engine"] == "sqlite" and (records / "register.sqlite").is_file()
    back = json.loads(qms(records, "log", "--json")[1])["entries"][-1]
    assert (back["action"], back["changes"]["from"]["engine"], back["changes"]["to"]) == (
        "migrate", "postgresql", {"engine": "sqlite", "register": "register.sqlite"})
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
    code, _, err = migrate(records, url)
    assert code == 1
    assert err.startswith("Error: ") and err.endswith(": already holds a qmsdocs register; the target of a migration "
                                                      "must be an empty database (to work on that register, join it: "
                                                      "qms init DIR --database URL)\n")
    assert (records / "qms.toml").read_bytes() == before and (records / "register.sqlite").is_file()


def test_migrating_back_into_a_folder_with_a_register_is_refused(pg_records: Path) -> None:
    (pg_records / "register.sqlite").write_bytes(b"")
    code, _, err = migrate(pg_records, "sqlite")
    assert (code, err) == (1, f"Error: {pg_records / 'register.sqlite'}: already exists; the target of a migration "
                              "must be empty (move it away first)\n")


def test_a_writer_that_waited_through_a_migration_writes_nothing(records: Path, pg_url: str,
                                                                 plan_xlsx: Path) -> None:
    waiting = Workspace.open(records, write=True)  # opened before the migration, as a waiting writer had
    try:
        assert migrate(records, pg_url)[0] == 0
        with pytest.raises(RuleError) as info:
            lifecycle.new(waiting, "plan", plan_xlsx)
    finally:
        waiting.close()
    assert str(info.value) == (f"{records}: the register moved while this command waited (qms.toml names another "
                               "one now); run the command again")
    code, out, _ = qms(records, "list", "--json")
    assert (code, json.loads(out)) == (0, {"documents": []})


def test_moving_the_register_needs_an_administrator(records: Path, pg_url: str, pg_server: Server) -> None:
    before = (records / "qms.toml").read_bytes()
    code, _, err = qms(records, "migrate", "--to", pg_url)
    assert code == 2 and "Missing option '--by'" in err
    code, _, err = qms(records, "migrate", "--to", pg_url, "--by", "Wang Jianguo", "--password-stdin",
                       stdin=PASSWORD + "\n")
    assert (code, err) == (1, "Error: Wang Jianguo is not an administrator (role admin); administrators: Admin\n")
    code, _, err = qms(records, "migrate", "--to", pg_url, "--by", "Admin", "--password-stdin", stdin="wrong\n")
    assert (code, err) == (1, "Error: wrong password for Admin (4 more and they are locked)\n")
    assert (records / "qms.toml").read_bytes() == before
    database = pg_url.split("/")[3].split("?")[0]
    assert pg_server.sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
                         database) == [(0,)]
    # The next move by the administrator clears the failed attempt, and the trail says so.
    code, _, err = migrate(records, pg_url)
    assert (code, err) == (0, "")
    last = json.loads(qms(records, "log", "--json")[1])["entries"][-1]
    assert last["action"] == "migrate" and [r["values"]["failures"] for r in last["rows"]] == [0]
    assert qms(records, "log", "--verify")[0] == 0


def _killed_migration(records: Path, to: str) -> None:
    import os
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "qmsdocs", "--records", str(records), "migrate", "--to", to, *BY],
                          input=PASSWORD + "\n", capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QMS_CRASH_AT": "migrated"})
    assert proc.returncode == -9, proc.stderr


@pytest.mark.parametrize("direction", ["to-postgresql", "to-sqlite"])
def test_a_migration_killed_before_qms_toml_is_finished_by_running_it_again(
        direction: str, records: Path, pg_records: Path, pg_url: str, plan_xlsx: Path, tmp_path: Path) -> None:
    folder, to = (records, pg_url) if direction == "to-postgresql" else (pg_records, "sqlite")
    released = _released(folder, plan_xlsx)
    witness = tmp_path / "witness.docx"
    witness.write_bytes(released.read_bytes())
    config = (folder / "qms.toml").read_bytes()
    head = json.loads(qms(folder, "log", "--json")[1])["entries"][-1]
    _killed_migration(folder, to)
    # The target committed, the folder still names the source, which is as it was.
    assert (folder / "qms.toml").read_bytes() == config
    assert json.loads(qms(folder, "log", "--json")[1])["entries"][-1] == head
    code, out, err = migrate(folder, to, "--json")
    assert (code, err) == (0, ""), err
    moved = json.loads(out)
    assert moved["finished"] is True and moved["copied"] == f"{head['seq']}:{head['hash']}"
    assert moved["rows"]["documents"] == 1 and moved["rows"]["audit"] == head["seq"] + 1
    entries = json.loads(qms(folder, "log", "--json")[1])["entries"]
    assert [e["action"] for e in entries].count("migrate") == 1 and entries[-1]["action"] == "migrate"
    assert moved["chain"] == f"{entries[-1]['seq']}:{entries[-1]['hash']}"
    code, out, err = qms(folder, "log", "--verify", "--witness", str(witness))
    assert (code, err) == (0, ""), err
    ws = Workspace.open(folder)
    try:
        assert ws.register.engine == ("postgresql" if to == pg_url else "sqlite")
    finally:
        ws.close()


def test_a_copy_left_by_a_killed_migration_is_refused_once_the_source_moved_on(
        records: Path, pg_url: str, plan_xlsx: Path) -> None:
    _killed_migration(records, pg_url)
    assert qms(records, "new", "plan", "--data", str(plan_xlsx))[0] == 0  # the source is still the register
    code, _, err = migrate(records, pg_url)
    assert code == 1 and err.endswith(": already holds a qmsdocs register; the target of a migration must be an "
                                      "empty database (to work on that register, join it: qms init DIR --database "
                                      "URL)\n")
    assert "[register]" not in (records / "qms.toml").read_text(encoding="utf-8")
