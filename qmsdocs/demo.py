"""``qms demo``: the whole job on the sample workbooks in ``records/``, in a fresh workspace."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from qmsdocs import lifecycle, workspace
from qmsdocs.errors import UsageError
from qmsdocs.resources import sample_path
from qmsdocs.revlog import write_log

COMPANY, DEPARTMENT = "四川虹欧显示器件有限公司", "技术质量部"


def _fresh_folder(out: str | None) -> Path:
    if out:
        path = Path(out)
        if path.exists() and any(path.iterdir()):
            raise UsageError(f"{out}: folder is not empty; the demo needs a fresh one")
        return path
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(f"qms-demo-{stamp}")
    n = 1
    while path.exists():
        n += 1
        path = Path(f"qms-demo-{stamp}-{n}")
    return path


def _sign_and_release(ws: workspace.Workspace, doc_no: str, step: Any) -> None:
    for role, name in (("compile", "王建国"), ("review", "周志强"), ("approve", "赵德明")):
        step(f"sign {role}", lifecycle.sign(ws, doc_no, role, name))
    step("release 发布", lifecycle.release(ws, doc_no))


def run_demo(out: str | None = None) -> dict[str, Any]:
    """Create a workspace, take the sample plan through new → sign → release → revise → release.

    Return the workspace folder, one line per step and the files written.
    """
    plan = sample_path("plan.xlsx")
    root = _fresh_folder(out)
    workspace.init(root, COMPANY, DEPARTMENT, "zh")
    ws = workspace.Workspace.open(root)
    steps: list[dict[str, Any]] = []
    extra_files: list[str] = []
    try:
        def step(name: str, result: dict[str, Any]) -> dict[str, Any]:
            steps.append({"step": name, "doc_no": result["doc_no"], "version": result["version"],
                          "status": result["status"], "path": result["path"]})
            return result

        doc = step("new plan 新建考评策划书", lifecycle.new(ws, "plan", plan))["doc_no"]
        for role, name in (("compile", "王建国"), ("standardize", "陈静"), ("review", "周志强"),
                           ("countersign", "李明"), ("approve", "赵德明")):
            step(f"sign {role}", lifecycle.sign(ws, doc, role, name))
        step("release 发布", lifecycle.release(ws, doc))
        step("revise 修订 (CR-2026-017)", lifecycle.revise(
            ws, doc, "CR-2026-017", "王建国", "根据沟通会意见调整考评日程", pages="3"))
        for role, name in (("compile", "王建国"), ("review", "周志强"), ("approve", "赵德明")):
            step(f"sign {role}", lifecycle.sign(ws, doc, role, name))
        step("release 发布", lifecycle.release(ws, doc))
        minutes = step("new minutes 新建会议纪要", lifecycle.new(ws, "minutes", sample_path("minutes.xlsx")))["doc_no"]
        _sign_and_release(ws, minutes, step)
        scores_out = root / "exports"
        scores = step("new scores 新建考评评分表", lifecycle.new(
            ws, "scores", sample_path("scores.xlsx"),
            options={"xlsx": str(scores_out / "考评结果.xlsx"), "split": str(scores_out / "绩效沟通"), "jobs": 2}))
        _sign_and_release(ws, scores["doc_no"], step)
        for doc_no in (doc, minutes, scores["doc_no"]):
            extra_files.append(write_log(ws, doc_no)["path"])
        extra_files.append(scores["xlsx"])
        extra_files.extend(scores["split"])
        listing = lifecycle.list_documents(ws)
    finally:
        ws.close()
    files = sorted(str(p.resolve()) for p in (root / "documents").rglob("*.docx"))
    files += [f for f in extra_files if f not in files]
    return {"records": str(root.resolve()), "steps": steps, "documents": listing["documents"], "files": files}
