"""Building input workbooks for the workbook-reading tests, the way Excel would have saved them.

openpyxl is the writer, with three corrections so that a test file says what Excel's would:
text is written with Excel's ``_xHHHH_`` escapes (a control character, a carriage return, or a
literal ``_x0041_``), text that starts with ``=`` stays text unless it is a :class:`Formula`, and
:func:`to_shared_strings` moves every string into a shared strings table as Excel does
(openpyxl itself writes inline strings). Raw XML can be patched in with :func:`patch_sheet`.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable
from xml.etree import ElementTree

from qmsdocs.sheets import Column, Sheet

# A one-column sheet for reading single cells of every kind; "other" keeps the row non-blank.
def probe_sheet(kind: str, required: bool = True) -> Sheet:
    return Sheet("Probe", "探针", (Column("value", "值", "Value", kind, required=required),
                                  Column("other", "其他", "Other", required=False)))


BIG = Sheet("Big", "大表", (Column("n", "序号", "No.", "int"), Column("s", "文本", "Text")))
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


@dataclass(frozen=True)
class Formula:
    """A formula cell, written as openpyxl writes it: without a saved value."""

    text: str


def excel_text(text: str) -> str:
    """Return text escaped as Excel stores it: ``_xHHHH_`` for controls and CR, ``_x005F_`` before a look-alike."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return re.sub("[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]], shared: bool = False) -> Path:
    """Write ``sheets`` (title -> rows) and return ``path``; ``shared`` stores strings as Excel does."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c)
                if isinstance(value, Formula):
                    cell.value = value.text
                elif isinstance(value, str):
                    cell.value = excel_text(value)
                    cell.data_type = "s"  # "=text" typed as text stays text
                else:
                    cell.value = value
                if isinstance(value, dt.datetime) and value.time() != dt.time():
                    cell.number_format = "yyyy-mm-dd hh:mm"
    wb.save(path)
    if shared:
        to_shared_strings(path)
    return path


def write_probe(path: Path, value: Any, shared: bool = False) -> Path:
    """Write a Probe sheet with header ``value, other`` and one data row ``value, x``."""
    return write_workbook(path, {"Probe": [["value", "other"], [value, "x"]]}, shared)


def rewrite_zip(path: Path, change: Callable[[str, bytes], bytes | None]) -> None:
    """Rewrite every part of the zip at ``path`` through ``change`` (None drops the part)."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in parts:
            new = change(info.filename, data)
            if new is not None:
                zf.writestr(info.filename, new)


def add_part(path: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)


def sheet_part(path: Path, title: str) -> str:
    """Return the zip name of the worksheet called ``title``."""
    ns = {"m": MAIN, "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get(f"{{{ns['r']}}}id") for s in book.iterfind("m:sheets/m:sheet", ns) if s.get("name") == title)
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def patch_sheet(path: Path, title: str, change: Callable[[str], str]) -> None:
    """Rewrite the XML of sheet ``title`` through ``change``."""
    part = sheet_part(path, title)
    rewrite_zip(path, lambda name, data: change(data.decode()).encode() if name == part else data)


def set_cell_xml(path: Path, title: str, ref: str, xml: str) -> None:
    """Replace the ``<c r="ref">`` element of sheet ``title`` by ``xml`` (which must hold the same ref)."""
    def change(text: str) -> str:
        new, count = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', lambda m: xml, text, flags=re.S)
        assert count == 1, f"cell {ref} not found"
        return new
    patch_sheet(path, title, change)


def to_shared_strings(path: Path) -> None:
    """Move every inline string of the workbook into a shared strings table, as Excel stores text."""
    strings: list[str] = []
    index: dict[str, int] = {}

    def share(match: re.Match[str]) -> str:
        body = match.group(3)
        if body not in index:
            index[body] = len(strings)
            strings.append(body)
        return f'<c{match.group(1)}t="s"{match.group(2)}><v>{index[body]}</v></c>'

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            return re.sub(r'<c([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', share, data.decode(),
                          flags=re.S).encode()
        return data

    rewrite_zip(path, change)
    table = "".join(f"<si>{body}</si>" for body in strings)
    sst = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">{table}</sst>')

    def register(name: str, data: bytes) -> bytes:
        text = data.decode()
        if name == "[Content_Types].xml":
            text = text.replace("</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_TYPE}"/>'
                                            "</Types>")
        elif name == "xl/_rels/workbook.xml.rels":
            text = text.replace("</Relationships>", f'<Relationship Id="rIdShared" Type="{SHARED_REL}" '
                                                    'Target="sharedStrings.xml"/></Relationships>')
        return text.encode()

    rewrite_zip(path, lambda name, data: register(name, data) if name.endswith((".xml", ".rels")) else data)
    add_part(path, "xl/sharedStrings.xml", sst.encode())


def billion_laughs(root: str, body: str) -> str:
    """Return an XML entity bomb: element ``root`` around ``body``, where ``&lol9;`` is a billion "lol"s."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n  ' + "\n  ".join(entities) + "\n]>\n"
            f'<{root} xmlns="{MAIN}">{body}</{root}>')


# -- a plan workbook, English keys in the headers ----------------------------------------------------
PLAN_FIELDS: list[list[Any]] = [
    ["field", "value"],
    ["title", "Evaluation plan Q4"],
    ["period", "2026 Q4"],
    ["purpose", "Evaluate service staff objectively."],
    ["scope", "All customer-service staff."],
    ["organizer", "Wang Jianguo"],
    ["start", dt.date(2026, 12, 1)],
    ["end", "2026-12-20"],
    ["summary_method", "Weighted totals, ranked."],
    ["feedback_method", "One-to-one talks."],
]
INDICATOR_HEADER = ["code", "name", "kind", "dimension", "weight", "metric", "target", "limit", "method"]
INDICATORS_OK: list[list[Any]] = [
    ["Q1", "First-time fix", "quantitative", "performance", 40, "first_pass_rate", "90%", None, "check, measure"],
    ["Q2", "Repeat repairs", "定量", "过程", 20, "repeat_rate", 0.05, 0.15, "查、看"],
    ["S1", "Attitude", "qualitative", "capability", 40, None, "80 points", None, "listen, ask"],
]


def plan_sheets(indicators: list[list[Any]] | None = None, fields: list[list[Any]] | None = None) -> dict[str, list]:
    """Return the sheets of a valid plan workbook, with the given indicator rows or fields."""
    return {
        "Plan": fields if fields is not None else PLAN_FIELDS,
        "Indicators": [INDICATOR_HEADER] + (indicators if indicators is not None else INDICATORS_OK),
        "Schedule": [["step", "start", "end", "owner", "output"],
                     ["Plan the round", dt.date(2026, 11, 24), dt.date(2026, 11, 30), "Wang", "Plan"]],
        "Evaluators": [["name", "role", "type"], ["Wang Jianguo", "Team leader", "leader"],
                       ["Li Ming", "Engineer", "peer"]],
    }
