"""Several qms processes on one workspace: numbers stay distinct and gapless, nothing is lost."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qmsdocs import lifecycle
from qmsdocs import reports
from qmsdocs.workspace import Workspace


def _spawn(records: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, QMS_BUSY_TIMEOUT="120")
    return subprocess.Popen([sys.executable, "-m", "qmsdocs", "--records", str(records), *args, "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_eight_processes_take_distinct_gapless_numbers(records: Path, plan_xlsx: Path) -> None:
    procs = [_spawn(records, "new", "plan", "--data", str(plan_xlsx)) for _ in range(8)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in outputs]
    numbers = sorted(json.loads(out)["doc_no"] for out, _ in outputs)
    assert numbers == [f"HO-JZ-KP-2026-{n:03d}" for n in range(1, 9)]
    ws = Workspace.open(records, write=True)
    listed = reports.list_documents(ws)["documents"]
    ws.close()
    assert [d["doc_no"] for d in listed] == numbers
    for out, _ in outputs:
        assert Path(json.loads(out)["path"]).is_file()


def test_concurrent_countersignatures_are_all_kept(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    doc = lifecycle.new(ws, "plan", plan_xlsx)["doc_no"]
    sign(ws, doc, "compile", "Wang")
    names = [f"Signer {n}" for n in range(8)]
    procs = [_spawn(records, "sign", doc, "--role", "countersign", "--name", name) for name in names]
    for p in procs:
        p.communicate(timeout=300)
    assert [p.returncode for p in procs] == [0] * 8
    signatures = reports.show(ws, doc)["revisions"][0]["signatures"]
    assert sorted(s["name"] for s in signatures if s["role"] == "countersign") == names


def test_sixteen_processes_issue_sign_release_and_list_at_once(ws: Workspace, records: Path,
                                                               plan_xlsx: Path) -> None:
    from qmsdocs import audit

    docs = [lifecycle.new(ws, "plan", plan_xlsx)["doc_no"] for _ in range(6)]
    for doc in docs[:4]:
        sign(ws, doc, "compile", "Wang")
    for doc in docs[4:]:
        for role, name in (("compile", "Wang"), ("review", "Zhou"), ("approve", "Zhao")):
            sign(ws, doc, role, name)
    commands = (
        [("new", "plan", "--data", str(plan_xlsx))] * 6
        + [("sign", doc, "--role", "countersign", "--name", f"Li {n}") for n, doc in enumerate(docs[:4])]
        + [("release", doc) for doc in docs[4:]]
        + [("list",), ("list",), ("show", docs[0]), ("show", docs[5])]
    )
    assert len(commands) == 16
    procs = [_spawn(records, *args) for args in commands]
    results = [(p, *p.communicate(timeout=300)) for p in procs]
    for (proc, out, err), args in zip(results, commands):
        busy = "workspace busy" in err
        assert proc.returncode == 0 or (proc.returncode == 1 and busy), (args, err)
        assert "Traceback" not in err
    listed = reports.list_documents(ws)["documents"]
    assert [d["doc_no"] for d in listed] == [f"HO-JZ-KP-2026-{n:03d}" for n in range(1, 13)]
    for n, doc in enumerate(docs[:4]):
        names = [s["name"] for s in reports.show(ws, doc)["revisions"][0]["signatures"]]
        assert names == ["Wang", f"Li {n}"]
    assert [d["status"] for d in listed[4:6]] == ["effective", "effective"]
    assert audit.verify(ws.conn) == []


def test_a_held_workspace_gives_a_clean_busy_error(records: Path, plan_xlsx: Path) -> None:
    import sqlite3

    holder = sqlite3.connect(records / "register.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        env = dict(os.environ, QMS_BUSY_TIMEOUT="0.3")
        result = subprocess.run([sys.executable, "-m", "qmsdocs", "--records", str(records), "new", "plan",
                                 "--data", str(plan_xlsx)], capture_output=True, text=True, env=env, timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    assert result.stderr == ("Error: workspace busy: another qms command kept it locked too long; try again "
                             "(QMS_BUSY_TIMEOUT sets the wait)\n")
    ws = Workspace.open(records, write=True)
    assert reports.list_documents(ws) == {"documents": []}
    ws.close()
