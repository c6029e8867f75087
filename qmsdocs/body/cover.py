"""The cover and the control header of a framed body, built as WordprocessingML elements."""
from __future__ import annotations

from typing import Any

from qmsdocs.body.wml import cell, field, para, row, runs, table

#: Column widths of the shipped plan template (twips of its 9,410-twip text width), scaled to the body's.
_APPROVAL_COLUMNS = (1701, 2041, 1474, 1701, 2494)
#: The effective-date column holds a whole date (2026-12-01) even on A4 with 3.17 cm margins.
_HISTORY_COLUMNS = (680, 907, 1814, 1247, 1531, 2890)
#: The header's four columns (company, kind, number, page), in fiftieths of a percent of the text
#: width (5000 = all of it). The number's column holds "Document No.: HO-JZ-GL-2026-001" on one
#: line down to A4 with 3.17 cm margins; in English the kind's label (MANAGEMENT DOCUMENT) breaks
#: between its words, so its column is as wide as its longer word and the company's narrower.
_HEADER_COLUMNS = {"zh": (1350, 700, 2100, 850), "en": (1050, 1050, 2100, 800)}


def kind_label(doc_type: str, language: str, L: dict[str, str]) -> str:
    """Return the cover's name for ``doc_type``; a kind without one is a management document."""
    from qmsdocs.names import BODY_KINDS

    pair = BODY_KINDS.get(doc_type)
    if pair is None:
        return L["management_document"]
    return pair[0] if language == "zh" else pair[1]


def _scaled(widths: tuple[int, ...], text_width: int) -> list[int]:
    """Return ``widths`` scaled to ``text_width`` twips, the last column taking the rounding."""
    total = sum(widths)
    out = [w * text_width // total for w in widths[:-1]]
    return out + [text_width - sum(out)]


def cover(ctx: dict[str, Any], L: dict[str, str], kind: str, text_width: int) -> list[Any]:
    """Return the cover's block elements: titles, approval block and revision record.

    ``ctx`` is :meth:`Frame.context`; ``text_width`` (twips) is the body's first text width.
    """
    blocks = [
        para(ctx["company"], size=32, bold=True, sans=True, center=True),
        para(f"{ctx['department']} {kind}".strip(), size=28, bold=True, sans=True, center=True),
        para(),
        para(ctx["title"], size=44, bold=True, sans=True, center=True),
        para(ctx["mark"], size=28, bold=True, sans=True, center=True),
        para(L["notice"], size=18, center=True),
        para(),
        _approval(ctx, L, _scaled(_APPROVAL_COLUMNS, text_width)),
        para(),
        para(L["revision_record"], size=24, bold=True, sans=True),
        _history(ctx, L, _scaled(_HISTORY_COLUMNS, text_width)),
    ]
    return blocks


def _approval(ctx: dict[str, Any], L: dict[str, str], widths: list[int]) -> Any:
    facts = [("copy_no", ctx["copy_no"]), ("doc_no", ctx["doc_no"]), ("version", ctx["version_text"]),
             ("compiled_on", ctx["compiled_on"]), ("release_date", ctx["release_date"]),
             ("effective_date", ctx["effective_date"])]
    heads = [(L["approval"], True), (L["name"], True), (L["date"], True)]
    rows = [row(*(cell(wd, para(text, bold=bold)) for wd, (text, bold) in zip(widths, heads)),
                cell(widths[3], para(L[facts[0][0]], bold=True)), cell(widths[4], para(facts[0][1])))]
    for approval, (key, value) in zip(ctx["approvals"], facts[1:]):
        rows.append(row(cell(widths[0], para(approval["label"], bold=True)), cell(widths[1], para(approval["name"])),
                        cell(widths[2], para(approval["date"])), cell(widths[3], para(L[key], bold=True)),
                        cell(widths[4], para(value))))
    return table(widths, rows, center=True)


def _history(ctx: dict[str, Any], L: dict[str, str], widths: list[int]) -> Any:
    keys = ("rev_no", "rev_pages", "rev_change_no", "rev_changed_by", "rev_effective", "rev_summary")
    rows = [row(*(cell(wd, para(L[k], bold=True, center=True)) for wd, k in zip(widths, keys)), header=True)]
    for entry in ctx["history"]:
        values = (str(entry["no"]), entry["pages"], entry["change_no"], entry["changed_by"],
                  entry["effective_date"], entry["summary"])
        rows.append(row(*(cell(wd, para(v)) for wd, v in zip(widths, values))))
    return table(widths, rows, center=True)


def control_table(ctx: dict[str, Any], L: dict[str, str], language: str = "zh") -> Any:
    """Return the header's control table: company, document number, 页次 PAGE/NUMPAGES, title, status, version.

    A numbered copy's copy number is printed under the title, so every page of a copy shows it
    (with or without a cover). The table spans the text width of whichever section shows it (a
    percentage width), so one header serves portrait and landscape sections alike.
    """
    c = _HEADER_COLUMNS["zh" if language == "zh" else "en"]
    page = para(f"{L['page']} ", extra=field("PAGE", "1") + runs("/") + field("NUMPAGES", "1"))
    first = row(cell(c[0], para(f"{ctx['company']} {ctx['department']}".strip()), pct=True),
                cell(c[1], para(L["management_document"], bold=True, center=True), pct=True),
                cell(c[2], para(f"{L['doc_no']}: {ctx['doc_no']}"), pct=True),
                cell(c[3], page, pct=True))
    title = [para(f"{L['title']}: {ctx['title']}")]
    if ctx["copy_no"]:
        title.append(para(f"{L['copy_no']}: {ctx['copy_no']}"))
    second = row(cell(c[0] + c[1], *title, span=2, pct=True),
                 cell(c[2], para(f"{L['status']}: {ctx['mark']}"), pct=True),
                 cell(c[3], para(f"{L['version_short']}: {ctx['version_text']}"), pct=True))
    # Grid columns in twips for a 9,360-twip text width; the percentage widths rule.
    return table([c_ * 9360 // 5000 for c_ in c], [first, second], full_width=True)
