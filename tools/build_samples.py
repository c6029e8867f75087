"""Build the sample workbooks shipped in ``records/`` (run ``make samples`` after changing this file).

The samples are a realistic evaluation round of a customer-service team, taken from the seed
standard: its indicators, the 90/95/99 % first-time-fix targets and the seven methods.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from qmsdocs.blank import build_blank, tab_name  # noqa: E402
from qmsdocs.sheets import WORKBOOKS  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "records"
D = dt.date

PLAN = {
    "Plan": [
        "2026年第四季度客户服务体系考评策划书",
        "2026年第四季度",
        "为不断优化客户服务体系的流程，完善客户服务相关制度，客观、公正、全面地评价客户服务人员的工作表现，"
        "进一步提高客户服务质量和客户服务人员的工作积极性，依据《客户服务体系考评管理办法》组织本次考评。",
        "本次考评适用于客户服务组的全部服务人员及客户服务工作的所有环节（受理、上门、维修、回访）。",
        "客户服务组组长 王建国",
        D(2026, 12, 1),
        D(2026, 12, 20),
        D(2026, 12, 2),
        "定量指标按服务记录计算，定性指标由组长评价（权重0.6）与同事互评（权重0.4）加权；"
        "总分=Σ(权重×指标得分)/Σ权重，按总分排名并评定等级（优秀≥90、良好≥80、合格≥70、待改进<70）。",
        "考评结束后一周内，组长与每位员工进行一对一绩效沟通，说明得分与差距，共同制定改进措施，双方在评分表上签字确认。",
    ],
    "Indicators": [
        ["Q1", "一次修复合格率", "定量", "绩效", 30, "一次修复合格率", "90%", None, "查、测"],
        ["Q2", "二次修复率", "定量", "过程", 15, "二次修复率", "5%", "15%", "查、看"],
        ["Q3", "客户投诉率", "定量", "绩效", 15, "投诉率", "0%", "5%", "访、问"],
        ["Q4", "废损率", "定量", "过程", 10, "废损率", "1%", "5%", "查、测"],
        ["S1", "工作态度", "定性", "能力", 10, None, "≥80分", None, "听、看、问"],
        ["S2", "团队意识", "定性", "能力", 10, None, "≥80分", None, "听、访"],
        ["S3", "协作精神", "定性", "过程", 10, None, "≥80分", None, "看、考"],
    ],
    "Schedule": [
        ["考评策划并形成书面文件", D(2026, 11, 24), D(2026, 11, 30), "王建国", "考评策划书"],
        ["召开考评沟通会", D(2026, 12, 2), D(2026, 12, 2), "王建国", "会议纪要"],
        ["收集服务记录与客户回访", D(2026, 12, 3), D(2026, 12, 10), "李明", "服务记录汇总表"],
        ["领导考评与同事互评", D(2026, 12, 8), D(2026, 12, 12), "王建国", "评分记录"],
        ["汇总得分、评审与原因分析", D(2026, 12, 13), D(2026, 12, 16), "王建国", "考评评分表"],
        ["绩效沟通与改进措施", D(2026, 12, 17), D(2026, 12, 20), "王建国", "绩效沟通记录"],
    ],
    "Evaluators": [
        ["王建国", "客户服务组组长", "领导"],
        ["李明", "高级服务工程师", "同事"],
        ["张伟", "服务工程师", "同事"],
        ["刘洋", "服务工程师", "同事"],
    ],
}


def fill(kind: str, data: dict[str, list]) -> None:
    wb = build_blank(kind, "zh")
    for sheet in WORKBOOKS[kind]:
        ws = wb[tab_name(sheet, "zh")]
        rows = data.get(sheet.name, [])
        if sheet.keyvalue:
            for index, value in enumerate(rows, start=2):
                ws.cell(index, 2, value)
        else:
            for row in rows:
                ws.append(row)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    wb.properties.creator = "qmsdocs"
    fixed = dt.datetime(2026, 11, 1)
    wb.properties.created = wb.properties.modified = fixed
    OUT.mkdir(exist_ok=True)
    wb.save(OUT / f"{kind}.xlsx")
    print(OUT / f"{kind}.xlsx")


if __name__ == "__main__":
    fill("plan", PLAN)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import sample_minutes
    import sample_scores

    sample_minutes.main()
    sample_scores.main()
