"""A shared register on PostgreSQL: desks, concurrency, crashes, a restarted server, a dropped connection."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PASSWORD, sign_all
from pgserver import Server, join
from qmsdocs import audit, lifecycle, reports
from qmsdocs.cli import cli
from qmsdocs.errors import RegisterError, RuleError
from qmsdocs.store import RegisterStore, sha256_bytes
from qmsdocs.workspace import Workspace

DOC = "HO-JZ-KP-2026-001"


def qms(root: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run one qms command in this process; return exit code, stdout, stderr."""
    result = CliRunner().invoke(cli, ["--records", str(root), *args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def spawn(root: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qmsdocs", "--records", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "QMS_BUSY_TIMEOUT": "120", **env})


def verified(root: Path) -> list[str]:
    ws = Workspace.open(root)
    try:
        return audit.verify(ws.register)
    finally:
        ws.close()


def test_the_approval_workflow_runs_on_postgresql(pg_records: Path, plan_xlsx: Path) -> None:
    ws = Workspace.open(pg_records, write=True)
    try:
        assert ws.register.engine == "postgresql" and isinstance(ws.store, RegisterStore)
        lifecycle.new(ws, "plan", plan_xlsx)
        sign_all(ws, DOC)
        released = lifecycle.release(ws, DOC)
        assert released["status"] == "effective"
        shown = reports.show(ws, DOC)["revisions"][0]
        assert [(s["role"], s["name"]) for s in shown["signatures"]] == [
            ("compile", "Wang Jianguo"), ("review", "Zhou Zhiqiang"), ("approve", "Zhao Deming")]
        view = pg_records / released["path"] if not Path(released["path"]).is_absolute() else Path(released["path"])
        data = view.read_bytes()
        # The released file is held by the register itself, as bytes, and the folder has no store of its own.
        assert ws.store.load(sha256_bytes(data)) == data
        assert type(ws.register.scalar("SELECT data FROM objects LIMIT 1")) is bytes
        assert not (pg_records / "store").exists() and not (pg_records / "register.sqlite").exists()
        assert audit.verify(ws.register) == []
    finally:
        ws.close()
    assert qms(pg_records, "log", "--verify")[0] == 0


def test_three_desks_work_on_one_document(pg_records: Path, tmp_path: Path, plan_xlsx: Path) -> None:
    desk_b, desk_c = join(pg_records, tmp_path / "desk-b"), join(pg_records, tmp_path / "desk-c")
    code, out, err = qms(pg_records, "new", "plan", "--data", str(plan_xlsx), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["doc_no"] == DOC
    # Desk B signs and releases the document desk A made; its folder gets the views it needs.
    for role, name in (("compile", "Wang Jianguo"), ("review", "Zhou Zhiqiang"), ("approve", "Zhao Deming")):
        code, _, err = qms(desk_b, "sign", DOC, "--role", role, "--name", name, "--password-stdin",
                           stdin=PASSWORD + "\n")
        assert (code, err) == (0, ""), err
    code, out, err = qms(desk_b, "release", DOC, "--json")
    assert (code, err) == (0, ""), err
    released = desk_b / "documents" / DOC / f"{DOC}_1.0.docx"
    assert json.loads(out)["status"] == "effective"
    # Desk C exports it without ever having written a view: the package holds the same bytes.
    code, out, err = qms(desk_c, "export", "-o", str(tmp_path / "package.zip"), "--json")
    assert (code, err) == (0, ""), err
    with zipfile.ZipFile(tmp_path / "package.zip") as zf:
        assert zf.read(f"documents/{DOC}_1.0.docx") == released.read_bytes()
    # Desk A reads the new state at once, and its next writing command brings its own views up to date.
    code, out, _ = qms(pg_records, "list", "--json")
    assert [(d["doc_no"], d["status"]) for d in json.loads(out)["documents"]] == [(DOC, "effective")]
    assert (pg_records / "documents" / DOC / f"{DOC}_1.0.docx").read_bytes() != released.read_bytes()
    assert qms(pg_records, "new", "plan", "--data", str(plan_xlsx))[0] == 0
    assert (pg_records / "documents" / DOC / f"{DOC}_1.0.docx").read_bytes() == released.read_bytes()
    assert qms(desk_c, "log", "--verify")[0] == 0
    assert verified(desk_c) == []


def test_a_joining_desk_takes_the_recorded_control_settings(pg_records: Path, tmp_path: Path) -> None:
    config = pg_records / "qms.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("interval_months = 24", "interval_months = 12"),
                      encoding="utf-8")
    code, out, err = qms(pg_records, "config", "apply", "--by", "Admin", "--password-stdin", "--json",
                         stdin=PASSWORD + "\n")
    assert (code, err) == (0, ""), err
    desk_b = join(pg_records, tmp_path / "desk-b")
    assert "interval_months = 12\n" in (desk_b / "qms.toml").read_text(encoding="utf-8")
    # A desk whose qms.toml says otherwise is told so, whatever desk recorded the settings.
    config.write_text(config.read_text(encoding="utf-8").replace("interval_months = 12", "interval_months = 6"),
                      encoding="utf-8")
    code, _, err = qms(pg_records, "new", "plan", "--data", str(Path(__file__).parent.parent / "records/plan.xlsx"))
    assert (code, err) == (1, "Error: qms.toml changes control settings that are not recorded yet "
                              "(review.interval_months); an administrator records them with: "
                              "qms config apply --by ADMIN\n")


def test_sixteen_processes_at_two_desks_take_gapless_numbers(pg_records: Path, tmp_path: Path,
                                                             plan_xlsx: Path) -> None:
    desk_b = join(pg_records, tmp_path / "desk-b")
    procs = [spawn(pg_records if n % 2 else desk_b, "new", "plan", "--data", str(plan_xlsx), "--json")
             for n in range(16)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 16, [err for _, err in outputs]
    numbers = sorted(json.loads(out)["doc_no"] for out, _ in outputs)
    assert numbers == [f"HO-JZ-KP-2026-{n:03d}" for n in range(1, 17)]
    assert verified(pg_records) == []
    entries = [e for e in json.loads(qms(desk_b, "log", "--json")[1])["entries"] if e["action"] == "new"]
    assert sorted(e["doc_no"] for e in entries) == numbers


@pytest.mark.parametrize("point", ["staged", "prepared"])
def test_a_command_killed_mid_transaction_leaves_nothing(pg_records: Path, plan_xlsx: Path, point: str) -> None:
    proc = spawn(pg_records, "new", "plan", "--data", str(plan_xlsx), QMS_CRASH_AT=point)
    proc.communicate(timeout=300)
    assert proc.returncode == -9
    code, out, err = qms(pg_records, "new", "plan", "--data", str(plan_xlsx), "--json")
    assert (code, err) == (0, "")
    assert json.loads(out)["doc_no"] == DOC  # the killed command's number was never taken
    assert qms(pg_records, "log", "--verify")[0] == 0
    assert verified(pg_records) == []


def test_a_restarted_server_between_two_commands(pg_server: Server, pg_records: Path, plan_xlsx: Path) -> None:
    assert qms(pg_records, "new", "plan", "--data", str(plan_xlsx))[0] == 0
    pg_server.restart()
    code, out, err = qms(pg_records, "new", "plan", "--data", str(plan_xlsx), "--json")
    assert (code, err) == (0, f"Warning: plan.xlsx: this workbook was already used for {DOC}; this makes a second "
                              "document from it\n")
    assert json.loads(out)["doc_no"] == "HO-JZ-KP-2026-002"
    assert verified(pg_records) == []


def test_a_dropped_connection_is_one_clean_error(pg_server: Server, pg_records: Path, plan_xlsx: Path) -> None:
    ws = Workspace.open(pg_records, write=True)
    try:
        database = ws.register.conn.info.dbname
        pg_server.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                      "AND pid <> pg_backend_pid()", params=(database,))
        with pytest.raises(RegisterError) as info:
            lifecycle.new(ws, "plan", plan_xlsx)
    finally:
        ws.close()
    where = f"{pg_server.base}/{database}"
    assert str(info.value).startswith(f"{where}: the connection to the register was lost (")
    assert str(info.value).endswith("); nothing of this command was recorded — try again")
    code, out, _ = qms(pg_records, "list", "--json")
    assert (code, json.loads(out)) == (0, {"documents": []})


def test_a_server_that_does_not_answer(tmp_path: Path, pg_server: Server) -> None:
    url = f"postgresql://postgres@/qms?host={tmp_path}"
    code, _, err = qms(tmp_path, "init", str(tmp_path / "ws"), "--database", url)
    assert (code, err) == (2, f"Error: cannot connect to the register at {tmp_path}/qms: no server is listening "
                              f"there (No such file or directory)\n")
    assert not (tmp_path / "ws").exists()


def test_a_refused_login(tmp_path: Path, pg_server: Server, pg_url: str) -> None:
    url = pg_url.replace("postgres@", "nobody_here@")
    code, _, err = qms(tmp_path, "init", str(tmp_path / "ws"), "--database", url)
    assert code == 2
    assert err == (f"Error: cannot connect to the register at {url.split('host=')[1]}/{url.split('/')[3].split('?')[0]}: "
                   'login refused (role "nobody_here" does not exist)\n')


def test_a_database_of_another_program_is_refused(tmp_path: Path, pg_server: Server, pg_url: str) -> None:
    database = pg_url.split("/")[3].split("?")[0]
    pg_server.sql("CREATE TABLE invoices (id int)", database)
    code, _, err = qms(tmp_path, "init", str(tmp_path / "ws"), "--database", pg_url)
    assert (code, err) == (2, f"Error: {pg_server.base}/{database}: the database holds tables of another program "
                              "(invoices), not a qmsdocs register; give qmsdocs an empty database of its own\n")


def test_a_password_never_goes_into_qms_toml(tmp_path: Path) -> None:
    code, _, err = qms(tmp_path, "init", str(tmp_path / "ws"), "--database", "postgresql://qms:secret@db/qms")
    assert (code, err) == (2, "Error: --database: give the password in ~/.pgpass, PGPASSWORD or PGSERVICE, never "
                              "in the URL (qms.toml keeps the URL)\n")
    assert not (tmp_path / "ws").exists()


def test_qms_database_url_redirects_only_a_postgresql_workspace(pg_records: Path, records: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMS_DATABASE_URL", f"postgresql://postgres@/qms?host={tmp_path}")
    code, _, err = qms(pg_records, "list")
    assert (code, err) == (2, f"Error: cannot connect to the register at {tmp_path}/qms: no server is listening "
                              "there (No such file or directory)\n")
    if (records / "register.sqlite").exists():  # an embedded register never follows it
        assert qms(records, "list")[0] == 0
    assert qms(records, "init", str(tmp_path / "new"))[0] == 0
    assert (tmp_path / "new" / "register.sqlite").is_file()


def test_the_trail_can_be_append_only(pg_server: Server, pg_url: str, tmp_path: Path, plan_xlsx: Path) -> None:
    import psycopg

    from conftest import add_roster

    database = pg_url.split("/")[3].split("?")[0]
    root = tmp_path / "owner"
    assert qms(tmp_path, "init", str(root), "--database", pg_url, "--lang", "en")[0] == 0
    grants = (Path(__file__).parent.parent / "docs" / "deployment.md").read_text(encoding="utf-8")
    script = grants.split("```sql\n-- desk role\n", 1)[1].split("```", 1)[0]
    role = f"desk_{database}"  # roles belong to the whole server
    for statement in script.replace("qms_desk", role).split(";"):
        if statement.strip():
            pg_server.sql(statement, database)
    desk_url = pg_url.replace("postgres@", f"{role}@")
    desk = tmp_path / "desk"
    assert qms(tmp_path, "init", str(desk), "--database", desk_url, "--lang", "en")[0] == 0
    add_roster(desk)
    ws = Workspace.open(desk, write=True)
    try:
        lifecycle.new(ws, "plan", plan_xlsx)
        sign_all(ws, DOC)
        lifecycle.release(ws, DOC)
        assert audit.verify(ws.register) == []
        for statement in ("UPDATE audit SET actor = 'someone' WHERE seq = 2", "DELETE FROM audit WHERE seq > 3",
                          "DROP TABLE audit"):
            with pytest.raises(RegisterError, match="permission denied|must be owner"):
                with ws.register.transaction():
                    ws.register.execute(statement)
    finally:
        ws.close()
    with psycopg.connect(desk_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table audit"):
            conn.execute("UPDATE audit SET actor = 'someone'")
    assert verified(desk) == []


def test_a_register_held_by_another_desk_gives_a_clean_busy_error(pg_records: Path, plan_xlsx: Path,
                                                                  pg_server: Server) -> None:
    import psycopg

    from qmsdocs import config
    from qmsdocs.db.postgresql import WRITE_LOCK

    with psycopg.connect(config.load(pg_records / "qms.toml").register_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))  # another desk's open transaction
        proc = spawn(pg_records, "new", "plan", "--data", str(plan_xlsx), QMS_BUSY_TIMEOUT="0.3")
        _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (1, "Error: register busy: another desk kept the register locked too long; "
                                         "try again (QMS_BUSY_TIMEOUT sets the wait)\n")
    assert json.loads(qms(pg_records, "list", "--json")[1]) == {"documents": []}


@pytest.mark.parametrize("timeout_from", ["url", "default"])
def test_a_register_host_that_does_not_answer_is_one_clean_error(pg_records: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 timeout_from: str) -> None:
    import socket

    from qmsdocs.db import postgresql

    # A host that takes the connection and then says nothing (a firewall dropping packets, a hung
    # server): libpq would wait forever without a connect timeout.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        url = f"postgresql://postgres@127.0.0.1:{port}/qms"
        if timeout_from == "url":
            url += "?connect_timeout=2"
        else:
            monkeypatch.setattr(postgresql, "CONNECT_TIMEOUT", 2)  # the default, when the URL sets none
        monkeypatch.setenv("QMS_DATABASE_URL", url)
        code, out, err = qms(pg_records, "list")
    finally:
        silent.close()
    assert (code, out) == (2, "")
    assert err == (f"Error: cannot connect to the register at 127.0.0.1:{port}/qms: the server did not answer "
                   "(connection timeout expired)\n")
