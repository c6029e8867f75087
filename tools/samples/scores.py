"""The sample scores workbook ``records/scores.xlsx`` (考评评分表 input of the Q4 round).

The round of the sample plan: its seven indicators, thirteen service staff, the team leader
王建国 and three colleagues rating everyone on the qualitative indicators, and a quarter of
service records. 朱琳 joined in December and has no jobs yet (her quantitative indicators do not
apply); 陈晨 and 吴静 end on exactly the same rounded total (92.6) and share a rank (see the tests).
"""
from __future__ import annotations

import datetime as dt

from tools.samples.plan import PLAN

LEADER = "王建国"
#: The three colleagues who rate everyone; a colleague never rates himself, 陈晨 stands in.
PEERS = ("李明", "张伟", "刘洋")
STAND_IN = "陈晨"

# staff_id, name, position, (jobs, first_pass, repeat, complaints, scrapped),
# then S1 工作态度, S2 团队意识, S3 协作精神 as (leader, peer, peer, peer).
STAFF = [
    ("KF001", "李明", "高级服务工程师", (62, 60, 1, 0, 0), (95, 92, 94, 93), (92, 90, 91, 94), (94, 95, 92, 93)),
    ("KF002", "张伟", "服务工程师", (55, 51, 2, 0, 1), (88, 85, 90, 86), (85, 88, 84, 86), (86, 87, 85, 88)),
    ("KF003", "刘洋", "服务工程师", (48, 44, 2, 1, 0), (84, 86, 82, 85), (82, 80, 84, 83), (85, 83, 86, 84)),
    ("KF004", "陈晨", "服务工程师", (51, 47, 3, 0, 1), (90, 88, 87, 89), (86, 85, 88, 87), (88, 90, 86, 87)),
    ("KF005", "杨帆", "服务工程师", (44, 38, 4, 1, 1), (78, 80, 76, 79), (80, 78, 82, 79), (76, 78, 80, 77)),
    ("KF006", "赵磊", "高级服务工程师", (58, 56, 1, 0, 0), (92, 90, 91, 89), (93, 91, 92, 90), (90, 92, 91, 93)),
    ("KF007", "黄丽", "服务工程师", (40, 36, 2, 0, 0), (91, 93, 90, 92), (90, 92, 89, 91), (92, 91, 93, 90)),
    ("KF008", "周杰", "助理服务工程师", (36, 30, 4, 2, 2), (72, 75, 70, 74), (70, 72, 75, 71), (74, 70, 73, 72)),
    ("KF009", "吴静", "服务工程师", (46, 43, 2, 0, 1), (86, 84, 88, 85), (84, 86, 85, 83), (85, 84, 86, 87)),
    ("KF010", "徐强", "服务工程师", (50, 45, 3, 1, 1), (82, 80, 84, 81), (80, 83, 81, 82), (83, 81, 80, 84)),
    ("KF011", "孙悦", "服务工程师", (42, 39, 2, 0, 0), (83, 85, 86, 84), (82, 84, 85, 83), (84, 82, 85, 86)),
    ("KF012", "马超", "助理服务工程师", (38, 33, 3, 1, 2), (76, 74, 78, 75), (75, 77, 74, 76), (78, 76, 75, 77)),
    ("KF013", "朱琳", "助理服务工程师", (0, 0, 0, 0, 0), (87, 82, 84, 83), (86, 84, 85, 82), (84, 85, 83, 86)),
]
QUALITATIVE = ("S1", "S2", "S3")


def ratings() -> list[list[object]]:
    """Return the Ratings rows: for each person and indicator, the leader's score then three peers'."""
    rows: list[list[object]] = []
    for staff_id, name, _, _, *scores in STAFF:
        peers = [STAND_IN if peer == name else peer for peer in PEERS]
        for code, (leader, *peer_scores) in zip(QUALITATIVE, scores):
            rows.append([staff_id, LEADER, "领导", code, leader])
            rows += [[staff_id, peer, "同事", code, score] for peer, score in zip(peers, peer_scores)]
    return rows


SCORES = {
    "Period": ["2026年第四季度", dt.date(2026, 12, 16)],
    "Indicators": PLAN["Indicators"],
    "Staff": [[staff_id, name, position] for staff_id, name, position, *_ in STAFF],
    "Ratings": ratings(),
    "Service": [[staff_id, *counts] for staff_id, _, _, counts, *_ in STAFF],
}

