"""Room for the widest fallback font: the words that would break across lines in a template's table cells.

Widths in the templates' tables leave room for the widest font a reader may print them with when
Times New Roman and Arial are missing; :func:`overflowing_words` measures every word of every
cell with the fallback fonts installed (Pillow reads their metrics).
"""
from __future__ import annotations

import re

from docx.oxml.ns import qn


#: Fonts a reader without Times New Roman and Arial may print with; the widest of them is measured.
FALLBACK_FONTS = ("DejaVuSerif", "DejaVuSans", "LiberationSerif-Regular", "LiberationSans-Regular")
#: Samples standing in for placeholders whose values must stay on one line.
SAMPLE_VALUES = {"frame.doc_no": "HO-JZ-KP-2026-001", "frame.copy_no": "HO-JZ-KP-2026-001-C01", "date": "2026-12-01"}
CELL_MARGINS_CM = 0.38


def _font_files(bold: bool) -> list[str]:
    import glob

    out = []
    for name in FALLBACK_FONTS:
        stem = name.replace("-Regular", "") + ("-Bold" if bold else ("" if "Regular" not in name else "-Regular"))
        out += glob.glob(f"/usr/share/fonts/**/{stem}.ttf", recursive=True)
    return out


def _widest_cm(word: str, size_pt: float, bold: bool) -> float:
    from PIL import ImageFont

    widths = [ImageFont.truetype(path, 100).getlength(word) / 100 for path in _font_files(bold)]
    return max(widths, default=0.0) * size_pt / 72 * 2.54


def _cell_words(text: str) -> list[str]:
    """Return the words of a cell's text with placeholders resolved in both languages (Latin words only)."""
    from qmsdocs.labels import labels

    texts = []
    for language in ("zh", "en"):
        L = labels(language)

        def value(match: re.Match[str]) -> str:
            path = match.group(1)
            if path.startswith("L."):
                return L.get(path[2:], "")
            if path in SAMPLE_VALUES:
                return SAMPLE_VALUES[path]
            if re.search(r"date|_on$|\.(start|end|due)$", path):
                return SAMPLE_VALUES["date"]
            return ""

        texts.append(re.sub(r"\{\{\s*([\w.\[\]]+)\s*\}\}", value, text))
    return [w for t in texts for w in t.split() if re.fullmatch(r"[\x21-\x7e]+", w)]


def overflowing_words(doc) -> list[str]:
    """Return the words that would break across lines in a table cell of ``doc``, printed in the widest font.

    Empty where no fallback font is installed to measure with.
    """
    if not _font_files(False):
        return []
    parts = [doc.element.body] + [s.header._element for s in doc.sections]
    problems = []
    for part in parts:
        for tc in part.iter(qn("w:tc")):
            width = tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
            if width is None:
                continue
            room = int(width.get(qn("w:w"))) / 567 - CELL_MARGINS_CM
            for p in tc.iter(qn("w:p")):
                text = "".join(t.text or "" for t in p.iter(qn("w:t")))
                if "{%" in text:  # a row of the template's loop, not printed
                    continue
                size = p.find(f".//{qn('w:sz')}")
                size_pt = int(size.get(qn("w:val"))) / 2 if size is not None else 10.5
                bold = p.find(f".//{qn('w:b')}") is not None
                for word in _cell_words(text):
                    need = _widest_cm(word, size_pt, bold)
                    if need > room:
                        problems.append(f"{word!r} needs {need:.2f} cm, cell has {room:.2f} cm")
    return problems
