"""Build a scores workbook scaled to N staff, laid out like ``records/scores.xlsx``.

The sample round's seven indicators; N staff with service records; on each of the three
qualitative indicators every person is rated by the team leader and three colleagues. Values are
drawn from a seeded generator, so the same N always gives the same workbook (and the same bytes).

    python bench/make_data.py 500 -o /tmp/scores-500.xlsx
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红春梅海燕晨琳帆悦"
POSITIONS = ("高级服务工程师", "服务工程师", "助理服务工程师")
LEADER = "王建国"
QUALITATIVE = ("S1", "S2", "S3")


def staff_name(index: int) -> str:
    """Return a distinct two- or three-character name for person ``index`` (0-based)."""
    surname = SURNAMES[index % len(SURNAMES)]
    rest = index // len(SURNAMES)
    given = GIVEN[rest % len(GIVEN)]
    if rest >= len(GIVEN):
        given += GIVEN[(rest // len(GIVEN)) % len(GIVEN)]
    return surname + given


def rows(staff: int, seed: int = 2026) -> dict[str, list[list[object]]]:
    """Return the rows of each sheet of a round with ``staff`` people."""
    from tools.samples.plan import PLAN

    rng = random.Random(seed)
    people = [(f"KF{i + 1:04d}", staff_name(i), POSITIONS[i % 3]) for i in range(staff)]
    service, ratings = [], []
    for i, (sid, name, _) in enumerate(people):
        jobs = 0 if i % 97 == 12 else rng.randint(30, 65)  # now and then a newcomer without jobs
        first = jobs - rng.randint(0, min(jobs, 6))
        repeat = rng.randint(0, jobs - first) if jobs else 0
        service.append([sid, jobs, first, repeat, rng.randint(0, 2) if jobs else 0, rng.randint(0, 2) if jobs else 0])
        # Three colleagues, never the person rated.
        peers = [people[(i + k) % staff][1] for k in (1, 2, 3)] if staff > 3 else ["李明", "张伟", "刘洋"]
        for code in QUALITATIVE:
            ratings.append([sid, LEADER, "领导", code, rng.randint(70, 98)])
            ratings += [[sid, peer, "同事", code, rng.randint(70, 98)] for peer in peers]
    return {
        "Period": ["2026年第四季度", dt.date(2026, 12, 16)],
        "Indicators": PLAN["Indicators"],
        "Staff": [list(p) for p in people],
        "Ratings": ratings,
        "Service": service,
    }


def write(staff: int, out: Path) -> Path:
    """Write the scaled workbook to ``out`` and return it."""
    from qmsdocs.blank import build_blank, tab_name
    from qmsdocs.sheets import PERIOD, WORKBOOKS

    data = rows(staff)
    wb = build_blank("scores", "zh")
    for sheet in WORKBOOKS["scores"]:
        ws = wb[tab_name(sheet, "zh")]
        if sheet.keyvalue:
            for index, value in enumerate(data[sheet.name], start=2):
                ws.cell(index, 2, value)
        else:
            for row in data[sheet.name]:
                ws.append(row)
    ws = wb[tab_name(PERIOD, "zh")]
    ws.cell(3, 2).number_format = "yyyy-mm-dd"
    wb.properties.creator = "qmsdocs"
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 11, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("staff", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    print(write(args.staff, args.output))


if __name__ == "__main__":
    main()
