"""Several qms processes on one workspace: numbers stay distinct and gapless, nothing is lost."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from qmsdocs import lifecycle
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
    ws = Workspace.open(records)
    listed = lifecycle.list_documents(ws)["documents"]
    ws.close()
    assert [d["doc_no"] for d in listed] == numbers
    for out, _ in outputs:
        assert Path(json.loads(out)["path"]).is_file()


def test_concurrent_countersignatures_are_all_kept(ws: Workspace, records: Path, plan_xlsx: Path) -> None:
    doc = lifecycle.new(ws, "plan", plan_xlsx)["doc_no"]
    lifecycle.sign(ws, doc, "compile", "Wang")
    names = [f"Signer {n}" for n in range(8)]
    procs = [_spawn(records, "sign", doc, "--role", "countersign", "--name", name) for name in names]
    for p in procs:
        p.communicate(timeout=300)
    assert [p.returncode for p in procs] == [0] * 8
    signatures = lifecycle.show(ws, doc)["revisions"][0]["signatures"]
    assert sorted(s["name"] for s in signatures if s["role"] == "countersign") == names
