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
