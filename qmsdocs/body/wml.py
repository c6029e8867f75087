"""Building WordprocessingML elements of the frame with lxml: paragraphs, runs, fields, tables.

Every value goes in as element text, which lxml escapes; nothing here ever passes through a
template engine, so text of the body that looks like a template tag stays text.
"""
from __future__ import annotations

from typing import Any

from qmsdocs.body.package import W, w
from qmsdocs.errors import DataError
from qmsdocs.text import bad_character

#: The ids of the styles the frame adds to the body's styles part; unique to qmsdocs, so a body
#: style named like ours (a "Table Grid" or "Header" of its own) keeps its look.
TEXT_STYLE = "QmsFrameText"
TABLE_STYLE = "QmsFrameTable"
#: Fonts of the frame, as the shipped templates use them.
SERIF = {"ascii": "Times New Roman", "hAnsi": "Times New Roman", "cs": "Times New Roman", "eastAsia": "SimSun"}
SANS = {"ascii": "Arial", "hAnsi": "Arial", "cs": "Arial", "eastAsia": "SimHei"}


def el(tag: str, attrs: dict[str, str] | None = None, *children: Any) -> Any:
    """Return a new ``w:tag`` element with ``w:``-attributes and children."""
    from lxml import etree

    node = etree.Element(w(tag), nsmap={"w": W})
    for key, value in (attrs or {}).items():
        node.set(w(key), value)
    for child in children:
        if child is not None:
            node.append(child)
    return node


def run_props(size: int | None = None, bold: bool = False, sans: bool = False) -> Any:
    """Return ``w:rPr`` with the frame's fonts, half-point ``size`` and weight."""
    props = el("rPr", None, el("rFonts", SANS if sans else SERIF))
    props.append(el("b") if bold else el("b", {"val": "0"}))
    if size:
        props.append(el("sz", {"val": str(size)}))
        props.append(el("szCs", {"val": str(size)}))
    return props


def runs(text: str, size: int | None = None, bold: bool = False, sans: bool = False) -> list[Any]:
    """Return the runs showing ``text``: newlines become line breaks and tabs become tabs."""
    problem = bad_character(text)
    if problem:
        raise DataError(f"frame value {text[:40]!r}: {problem} cannot go into a Word document")
    out = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n")):
        if number:
            out.append(el("r", None, run_props(size, bold, sans), el("br")))
        for index, piece in enumerate(line.split("\t")):
            run = el("r", None, run_props(size, bold, sans))
            if index:
                run.append(el("tab"))
            t = el("t")
            t.text = piece
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            run.append(t)
            out.append(run)
    return out


def para(text: str = "", *, size: int | None = None, bold: bool = False, sans: bool = False,
         center: bool = False, extra: list[Any] | None = None) -> Any:
    """Return a paragraph of the frame's text style showing ``text`` (and ``extra`` runs after it)."""
    ppr = el("pPr", None, el("pStyle", {"val": TEXT_STYLE}))
    if center:
        ppr.append(el("jc", {"val": "center"}))
    p = el("p", None, ppr)
    for r in runs(text, size, bold, sans) if text else []:
        p.append(r)
    for r in extra or []:
        p.append(r)
    return p


def field(instruction: str, shown: str) -> list[Any]:
    """Return the runs of a field (``PAGE``, ``NUMPAGES``) with ``shown`` as its last computed value."""
    def mark(kind: str) -> Any:
        return el("r", None, run_props(), el("fldChar", {"fldCharType": kind}))

    code = el("instrText")
    code.text = f" {instruction} "
    code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    value = el("t")
    value.text = shown
    return [mark("begin"), el("r", None, run_props(), code), mark("separate"),
            el("r", None, run_props(), value), mark("end")]


def cell(width: int, *paragraphs: Any, span: int = 1, pct: bool = False) -> Any:
    """Return a table cell ``width`` wide (twips, or fiftieths of a percent with ``pct``)."""
    tcpr = el("tcPr", None, el("tcW", {"w": str(width), "type": "pct" if pct else "dxa"}))
    if span > 1:
        tcpr.append(el("gridSpan", {"val": str(span)}))
    return el("tc", None, tcpr, *(paragraphs or (para(),)))


def table(widths: list[int], rows: list[Any], *, center: bool = False, full_width: bool = False) -> Any:
    """Return a bordered table of the frame's table style with the given column widths (twips)."""
    tblpr = el("tblPr", None, el("tblStyle", {"val": TABLE_STYLE}),
               el("tblW", {"w": "5000", "type": "pct"} if full_width else {"w": "0", "type": "auto"}))
    if center:
        tblpr.append(el("jc", {"val": "center"}))
    tblpr.append(el("tblLayout", {"type": "fixed"}))
    tblpr.append(el("tblLook", {"val": "04A0", "firstRow": "1", "lastRow": "0", "firstColumn": "1",
                                "lastColumn": "0", "noHBand": "0", "noVBand": "1"}))
    grid = el("tblGrid", None, *(el("gridCol", {"w": str(x)}) for x in widths))
    return el("tbl", None, tblpr, grid, *rows)


def row(*cells: Any, header: bool = False) -> Any:
    """Return a table row; a ``header`` row repeats at the top of every page the table spans."""
    tr = el("tr")
    if header:
        tr.append(el("trPr", None, el("tblHeader")))
    for c in cells:
        tr.append(c)
    return tr


def styles() -> list[Any]:
    """Return the frame's paragraph and table styles, defined without reference to the body's styles."""
    spacing = el("spacing", {"before": "0", "after": "0", "line": "240", "lineRule": "auto"})
    text = el("style", {"type": "paragraph", "customStyle": "1", "styleId": TEXT_STYLE},
              el("name", {"val": "QmsFrame Text"}), el("uiPriority", {"val": "99"}), el("semiHidden"),
              el("pPr", None, spacing, el("ind", {"left": "0", "right": "0", "firstLine": "0"}),
                 el("jc", {"val": "left"})),
              el("rPr", None, el("rFonts", SERIF), el("i", {"val": "0"}), el("color", {"val": "000000"}),
                 el("sz", {"val": "21"}), el("szCs", {"val": "21"}), el("lang", {"eastAsia": "zh-CN"})))
    border = {"val": "single", "sz": "4", "space": "0", "color": "auto"}
    grid = el("style", {"type": "table", "customStyle": "1", "styleId": TABLE_STYLE},
              el("name", {"val": "QmsFrame Table"}), el("uiPriority", {"val": "99"}), el("semiHidden"),
              el("pPr", None, el("spacing", {"before": "0", "after": "0", "line": "240", "lineRule": "auto"})),
              el("tblPr", None, el("tblInd", {"w": "0", "type": "dxa"}),
                 el("tblBorders", None, *(el(side, border) for side in
                                          ("top", "left", "bottom", "right", "insideH", "insideV"))),
                 el("tblCellMar", None, el("top", {"w": "0", "type": "dxa"}), el("left", {"w": "108", "type": "dxa"}),
                    el("bottom", {"w": "0", "type": "dxa"}), el("right", {"w": "108", "type": "dxa"}))))
    return [text, grid]
