"""``qms demo``: the whole job on the sample workbooks, in a fresh workspace.

A roster is set up with enrolment codes and passwords; the plan goes through new → update (which
voids a signature) → sign → release → revise → reject → update → sign → release with a future
date (taking effect later, shown with ``QMS_TODAY``-style dates); minutes and score sheets are
made and released; the seed standard as a Word document (``records/regulation.docx``) is put
under control as a regulation and revised; the pending work is listed.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

from qmsdocs import clock, lifecycle, people, reports, workspace
from qmsdocs.errors import UsageError
from qmsdocs.resources import sample_path

SAMPLE_FILES = ("plan.xlsx", "minutes.xlsx", "scores.xlsx", "regulation.docx")
#: The seed standard's title: the Word document the demo puts under control as a regulation.
REGULATION_TITLE = "客户服务体系考评管理办法"
COMPANY, DEPARTMENT = "四川虹欧显示器件有限公司", "技术质量部"
#: The demo roster: name, roles. Each sets the password below with their enrolment code.
ROSTER = (("刘芳", "admin"), ("王建国", "compile"), ("陈静", "standardize"), ("周志强", "review"),
          ("李明", "countersign"), ("赵德明", "approve"))
PASSWORD = "demo-password-2026"


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


def copy_samples(folder: str) -> list[str]:
    """Copy the sample workbooks into ``folder`` (for the README's worked example); return their paths."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in SAMPLE_FILES:
        source = sample_path(name)
        if (target / name).exists():
            raise UsageError(f"{target / name}: exists; the samples go into a folder without them")
        shutil.copyfile(source, target / name)
        copied.append(str((target / name).resolve()))
    return copied


def run_demo(out: str | None = None) -> dict[str, Any]:
    """Create a workspace and take the samples through the whole workflow; return its steps and files."""
    samples = {name: sample_path(name) for name in SAMPLE_FILES}  # refuses a missing one before any work
    root = _fresh_folder(out)
    start = dt.date.fromisoformat(os.environ.get("QMS_TODAY") or dt.date.today().isoformat())
    d = [(start + dt.timedelta(days=n)).isoformat() for n in range(0, 40)]
    steps: list[dict[str, Any]] = []
    files: list[str] = []

    def step(name: str, result: dict[str, Any]) -> dict[str, Any]:
        steps.append({"step": name, "doc_no": result.get("doc_no", ""), "version": result.get("version", ""),
                      "status": result.get("status", ""), "path": result.get("path", "")})
        return result

    with clock.today_is(d[0]):
        workspace.init(root, COMPANY, DEPARTMENT, "zh")
    ws = workspace.Workspace.open(root, write=True)
    try:
        with clock.today_is(d[0]):
            admin = ROSTER[0][0]
            for name, roles in ROSTER:
                added = people.add(ws, name, roles, by=None if name == admin else admin, password=PASSWORD)
                people.set_password(ws, name, PASSWORD, code=added["code"])
                steps.append({"step": f"people add {name} ({roles}), password set with the enrolment code",
                              "doc_no": "", "version": "", "status": "", "path": ""})

        def sign(doc: str, role: str, name: str) -> None:
            step(f"sign {role} {name}", lifecycle.sign(ws, doc, role, name, password=PASSWORD))

        with clock.today_is(d[0]):
            plan = step("new plan 新建考评策划书", lifecycle.new(ws, "plan", samples["plan.xlsx"]))["doc_no"]
            sign(plan, "compile", "王建国")
            step("update 更正草稿 (voids the compile signature)",
                 lifecycle.update(ws, plan, summary="首次发布（更正日程）"))
            for role, name in (("compile", "王建国"), ("standardize", "陈静"), ("review", "周志强"),
                               ("countersign", "李明"), ("approve", "赵德明")):
                sign(plan, role, name)
            step("release 发布", lifecycle.release(ws, plan))
        with clock.today_is(d[7]):
            step("revise 修订 (CR-2026-017)", lifecycle.revise(
                ws, plan, "CR-2026-017", "王建国", "根据沟通会意见调整考评日程", pages="3", password=PASSWORD))
            sign(plan, "compile", "王建国")
            step("reject 审核退回", lifecycle.reject(ws, plan, "review", "周志强", "日程与会议纪要不一致",
                                                 password=PASSWORD))
            step("update 修改后重新提交", lifecycle.update(ws, plan, summary="根据沟通会意见调整考评日程和会议时间"))
            for role, name in (("compile", "王建国"), ("review", "周志强"), ("approve", "赵德明")):
                sign(plan, role, name)
            step(f"release 发布, effective {d[14]} (批准待生效)", lifecycle.release(ws, plan, d[14]))
            files.append(str(ws.path(ws.document_view(plan, "1.1")).resolve()))
        with clock.today_is(d[8]):
            minutes = step("new minutes 新建会议纪要", lifecycle.new(ws, "minutes", samples["minutes.xlsx"]))["doc_no"]
            for role, name in (("compile", "王建国"), ("review", "周志强"), ("approve", "赵德明")):
                sign(minutes, role, name)
            step("release 发布", lifecycle.release(ws, minutes))
            from qmsdocs.working_copies import new_with_outputs

            scores_out = root / "exports"
            scores = step("new scores 新建考评评分表 (+ results, per-person working copies)", new_with_outputs(
                ws, "scores", samples["scores.xlsx"], xlsx=str(scores_out / "考评结果.xlsx"),
                split=str(scores_out / "绩效沟通"), jobs=2))
            for role, name in (("compile", "王建国"), ("review", "周志强"), ("approve", "赵德明")):
                sign(scores["doc_no"], role, name)
            step("release 发布", lifecycle.release(ws, scores["doc_no"]))
            files += [scores["xlsx"], *scores["split"]]
            regulation = step("new regulation --body 管理办法 (Word 文件纳入受控)", lifecycle.new(
                ws, "regulation", body=sample_path("regulation.docx"), title=REGULATION_TITLE))["doc_no"]
            for role, name in (("compile", "王建国"), ("standardize", "陈静"), ("review", "周志强"),
                               ("approve", "赵德明")):
                sign(regulation, role, name)
            step("release 发布", lifecycle.release(ws, regulation))
        with clock.today_is(d[10]):
            step("revise 修订 (CR-2026-018)", lifecycle.revise(
                ws, regulation, "CR-2026-018", "王建国", "规范性引用文件更新为 GB/T 19001-2016", password=PASSWORD))
            for role, name in (("compile", "王建国"), ("review", "周志强"), ("approve", "赵德明")):
                sign(regulation, role, name)
            step("release 发布", lifecycle.release(ws, regulation))
            waiting = reports.pending(ws)["pending"]
            steps.append({"step": f"pending: {len(waiting)} item(s), e.g. {plan} 1.1 takes effect {d[14]}",
                          "doc_no": plan, "version": "1.1", "status": "approved", "path": ""})
        with clock.today_is(d[14]):
            from qmsdocs import copies

            step(f"{d[14]}: 1.1 is in force; copy issued", copies.issue(ws, plan, "客服一组"))
            listing = reports.list_documents(ws)
            from qmsdocs.masterlist import write_master_list

            files.append(str(write_master_list(ws, listing["documents"], root / "exports" / "受控文件清单.xlsx",
                                               force=True)))
    finally:
        ws.close()
    files = sorted(str(p.resolve()) for p in (root / "documents").rglob("*.docx")) + \
        sorted(str(p.resolve()) for p in (root / "copies").rglob("*.docx")) + files
    return {"records": str(root.resolve()), "steps": steps, "documents": listing["documents"],
            "files": list(dict.fromkeys(files)), "password": PASSWORD}
