"""Chart pictures for the score sheets, painted with Pillow as deterministic PNG bytes.

A bar chart here is a few dozen rectangles, lines and labels: Pillow paints them in tens of
milliseconds, where importing a plotting library alone took longer than the rest of the document.
Every chart has a fixed size, fonts and layout, and Pillow's PNG holds no time stamp, so the same
inputs give the same bytes, which keeps the rendered .docx byte-identical across renders.
"""
from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from qmsdocs.models import ScoresData
from qmsdocs.scoring import ScoreReport, round_half_up

#: Inches and dots per inch of every chart; the template's placeholder pictures share the aspect.
FIGSIZE = (8.0, 4.0)
DPI = 120
#: Above this many bars a chart shows the profile of the values as one filled outline, without a
#: name or a figure per bar: at 8 inches wide those would overlap into a black band anyway (the
#: tables carry every name and value).
LABELLED_BARS = 40
#: CJK-capable font files, most preferred first, with the face wanted from a collection
#: (fonts-noto-cjk gives the first on Linux; then Source Han, WenQuanYi, Windows, macOS).
CJK_FONTS: tuple[tuple[str, str | None], ...] = (
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"), ("NotoSansCJKsc-Regular.otf", None),
    ("NotoSansSC-Regular.otf", None), ("NotoSansSC-Regular.ttf", None),
    ("SourceHanSansSC-Regular.otf", None), ("SourceHanSans-Regular.ttc", "Source Han Sans SC"),
    ("wqy-zenhei.ttc", None), ("wqy-microhei.ttc", None), ("msyh.ttc", None), ("msyh.ttf", None),
    ("simhei.ttf", None), ("PingFang.ttc", None), ("Hiragino Sans GB.ttc", None), ("STHeiti Medium.ttc", None))
#: Used when no CJK font is installed (Chinese characters then show as boxes; the tables carry them).
LATIN_FONTS = ("DejaVuSans.ttf", "Arial.ttf", "arial.ttf", "LiberationSans-Regular.ttf")
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
                "/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts",
                os.path.join(os.environ.get("WINDIR", "C:/Windows"), "Fonts"),
                os.path.join(os.environ.get("LOCALAPPDATA", "~"), "Microsoft/Windows/Fonts"))

_BLACK, _WHITE, _GRID = (0, 0, 0), (255, 255, 255), (231, 231, 231)
_BLUE, _ORANGE, _GREY, _RED = "#4472C4", "#ED7D31", "#A5A5A5", "#C00000"
#: Dash patterns in pixels (on, off, ...) of the three target lines, as "--", "-." and ":".
_DASHES = ((7, 3), (7, 3, 2, 3), (2, 3))


def _pt(points: float) -> int:
    return round(points * DPI / 72)


@functools.lru_cache(maxsize=1)
def font_file() -> tuple[str, int] | None:
    """Return (path, index in the collection) of the font charts use: CJK if installed, else Latin."""
    from PIL import ImageFont

    found: dict[str, str] = {}
    for folder in FONT_FOLDERS:
        for root, _, files in os.walk(os.path.expanduser(folder)):
            for name in files:
                found.setdefault(name.lower(), os.path.join(root, name))
    for name, face in CJK_FONTS:
        path = found.get(name.lower())
        if path is None:
            continue
        for index in range(12 if face else 1):
            try:
                if face is None or ImageFont.truetype(path, 10, index=index).getname()[0] == face:
                    return path, index
            except OSError:
                break
    for name in LATIN_FONTS:
        if name.lower() in found:
            return found[name.lower()], 0
    return None


@functools.lru_cache(maxsize=16)
def _font(points: float) -> Any:
    from PIL import ImageFont

    chosen = font_file()
    if chosen is not None:
        return ImageFont.truetype(chosen[0], _pt(points), index=chosen[1])
    try:
        return ImageFont.load_default(_pt(points))
    except TypeError:  # Pillow before 10.1: one small bitmap font
        return ImageFont.load_default()


class _Chart:
    """One bar chart being painted: a frame of axes with a y range, bars, lines and labels."""

    def __init__(self, n: int, y_range: tuple[float, float], y_label: str,
                 x_labels: Sequence[tuple[int, str]], x_label: str = "", legend: bool = False) -> None:
        """Lay out ``n`` bars; ``x_labels`` are (bar index, text) under the axis, slanted if more than 8.

        The chart has no title of its own: the document prints its caption. With ``legend`` a band
        above the plot is kept for :meth:`legend`, so the legend never covers a bar.
        """
        from PIL import Image, ImageDraw

        self.width, self.height = round(FIGSIZE[0] * DPI), round(FIGSIZE[1] * DPI)
        self.image = Image.new("RGB", (self.width, self.height), _WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.n, (self.lo, self.hi) = max(n, 1), y_range
        self.ticks = _ticks(self.lo, self.hi)
        tick_font, label_font = _font(10), _font(10)
        rotated = len(x_labels) > 8
        # Margins fit the labels around the axes, as a constrained layout would.
        tick_width = max(self.draw.textlength(_tick_text(t), font=tick_font) for t in self.ticks)
        self.left = 8 + _pt(10) + 6 + round(tick_width) + 8
        label_height = max((self._text_size(t, _font(9))[1] for _, t in x_labels), default=0)
        if rotated:
            label_height = max((round(self.draw.textlength(t, font=_font(9)) * 0.71 + self._text_size(t, _font(9))[1])
                                for _, t in x_labels), default=0)
        label_height = min(label_height, self.height // 3)  # a very long name may run off the picture
        self.top = 10 + (_pt(8) + 16 if legend else 0)
        self.legend_box: tuple[int, int, int, int] | None = None
        self.bottom = self.height - (8 + label_height + 8 + (_pt(10) + 6 if x_label else 0))
        self.right = self.width - 12
        self.slot = (self.right - self.left) / self.n
        self._axis_titles(y_label, x_label, label_font)
        self._grid(tick_font)
        self._x_labels(x_labels, rotated)

    # -- geometry ------------------------------------------------------------------------------
    def y(self, value: float) -> float:
        value = min(max(value, self.lo), self.hi)
        return self.bottom - (value - self.lo) / (self.hi - self.lo) * (self.bottom - self.top)

    def x(self, index: float) -> float:
        return self.left + (index + 0.5) * self.slot

    def _text_size(self, text: str, font: Any) -> tuple[float, float]:
        box = self.draw.textbbox((0, 0), text, font=font, anchor="la")
        return box[2] - box[0], box[3] - box[1]

    # -- parts ---------------------------------------------------------------------------------
    def _axis_titles(self, y_label: str, x_label: str, font: Any) -> None:
        if y_label:
            self._rotated_text(y_label, font, 90, (8, (self.top + self.bottom) / 2), "left")
        if x_label:
            self.draw.text(((self.left + self.right) / 2, self.height - 8), x_label, font=font, fill=_BLACK,
                           anchor="md")

    def _grid(self, font: Any) -> None:
        for tick in self.ticks:
            y = round(self.y(tick))
            self.draw.line([(self.left, y), (self.right, y)], fill=_GRID, width=1)
            self.draw.line([(self.left - 4, y), (self.left, y)], fill=_BLACK, width=1)
            self.draw.text((self.left - 7, y), _tick_text(tick), font=font, fill=_BLACK, anchor="rm")

    def _x_labels(self, labels: Sequence[tuple[int, str]], rotated: bool) -> None:
        font = _font(9)
        for index, text in labels:
            x = round(self.x(index))
            self.draw.line([(x, self.bottom), (x, self.bottom + 4)], fill=_BLACK, width=1)
            if rotated:
                self._rotated_text(text, font, 45, (x, self.bottom + 7), "top-right")
            else:
                self.draw.text((x, self.bottom + 7), text, font=font, fill=_BLACK, anchor="ma")

    def _rotated_text(self, text: str, font: Any, angle: int, at: tuple[float, float], corner: str) -> None:
        from PIL import Image, ImageDraw

        w, h = self._text_size(text, font)
        stamp = Image.new("L", (int(w) + 4, int(h) + 6), 0)
        ImageDraw.Draw(stamp).text((2, 2), text, font=font, fill=255, anchor="la")
        stamp = stamp.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        x, y = at
        if corner == "left":  # vertical text whose left edge is at x, centred on y
            box = (round(x), round(y - stamp.height / 2))
        else:  # text ending at its top-right corner on (x, y), running down to the left
            box = (round(x - stamp.width), round(y))
        self.image.paste(Image.new("RGB", stamp.size, _BLACK), box, stamp)

    def bars(self, values: Sequence[float], colors: Sequence[str], labels: Sequence[str]) -> None:
        half = self.slot * 0.3
        for index, (value, color) in enumerate(zip(values, colors)):
            x, top = self.x(index), self.y(value)
            self.draw.rectangle([round(x - half), round(top), round(x + half) - 1, self.bottom], fill=color)
        for index, (value, text) in enumerate(zip(values, labels)):
            self.draw.text((self.x(index), self.y(value) - 3), text, font=_font(8), fill=_BLACK, anchor="md")

    def profile(self, values: Sequence[float], color: str) -> None:
        """Paint many values as one outline: each pixel column shows the bar under it."""
        for column in range(self.left + 1, self.right):
            index = min(int((column - self.left) / self.slot), len(values) - 1)
            self.draw.line([(column, round(self.y(values[index]))), (column, self.bottom)], fill=color, width=1)

    def hline(self, value: float, color: str, width: int, dashes: tuple[int, ...] | None = None) -> None:
        y = round(self.y(value))
        _dashed(self.draw, self.left, self.right, y, color, width, dashes)

    def legend(self, entries: Sequence[tuple[str, str, int, tuple[int, ...] | None]]) -> None:
        """Paint a legend in one row above the plot, flush right: (text, colour, line width, dashes) per entry."""
        if not entries:
            return
        font = _font(8)
        widths = [round(30 + 8 + self.draw.textlength(text, font=font) + 16) for text, *_ in entries]
        x0, y0, y1 = max(self.left, self.right - sum(widths)), 6, self.top - 6
        y = (y0 + y1) // 2
        x = x0
        for (text, color, width, dashes), room in zip(entries, widths):
            _dashed(self.draw, x, x + 30, y, color, width, dashes)
            self.draw.text((x + 38, y), text, font=font, fill=_BLACK, anchor="lm")
            x += room
        self.legend_box = (x0, y0, self.right, y1)

    def png(self) -> bytes:
        self.draw.rectangle([self.left, self.top, self.right, self.bottom], outline=_BLACK, width=1)
        buffer = io.BytesIO()
        self.image.save(buffer, format="PNG")
        return buffer.getvalue()


def _dashed(draw: Any, x0: int, x1: int, y: int, color: str, width: int, dashes: tuple[int, ...] | None) -> None:
    if not dashes:
        draw.line([(x0, y), (x1, y)], fill=color, width=width)
        return
    x, step = x0, 0
    while x < x1:
        length = dashes[step % len(dashes)]
        if step % 2 == 0:
            draw.line([(x, y), (min(x + length, x1), y)], fill=color, width=width)
        x += length
        step += 1


def _ticks(lo: float, hi: float) -> list[float]:
    """Return round tick values within lo..hi: steps of 1, 2, 2.5 or 5 times a power of ten, at most 7 ticks."""
    span = hi - lo
    magnitude = 10 ** math.floor(math.log10(span / 7)) if span > 0 else 1
    for factor in (1, 2, 2.5, 5, 10, 20):
        step = factor * magnitude
        first = math.ceil(lo / step) * step
        ticks = [round(first + i * step, 6) for i in range(int((hi - first) / step + 1e-9) + 1)]
        if len(ticks) <= 7:
            return ticks
    return [lo, hi]


def _counts(n: int) -> list[tuple[int, str]]:
    """Return the ticks of an axis counting ``n`` bars: round counts, under the bar they count."""
    return [(int(c) - 1, str(int(c))) for c in _ticks(1, n) if c == int(c) and c >= 1][:6]


def _tick_text(value: float) -> str:
    return f"{value:g}"


def totals_chart(names: Sequence[str], totals: Sequence[float], title: str, axis: str,
                 rank_axis: str = "") -> bytes:
    """Return the PNG bytes of a bar chart of each person's total score (0–100).

    Above :data:`LABELLED_BARS` people the bars, in the given (rank) order, show no names:
    the x axis counts them and is titled ``rank_axis``.
    """
    if len(names) > LABELLED_BARS:
        chart = _Chart(len(names), (0, 105), axis, _counts(len(names)), rank_axis)
        chart.profile(totals, _BLUE)
        return chart.png()
    chart = _Chart(len(names), (0, 105), axis, list(enumerate(names)))
    chart.bars(totals, [_BLUE] * len(totals), [f"{t:.1f}" for t in totals])
    return chart.png()


def first_pass_chart(labels: Sequence[str], rates: Sequence[float], targets: Sequence[tuple[str, float]],
                     title: str, axis: str) -> bytes:
    """Return the PNG bytes of :func:`first_pass_figure`."""
    return first_pass_figure(labels, rates, targets, title, axis).png()


def first_pass_figure(labels: Sequence[str], rates: Sequence[float], targets: Sequence[tuple[str, float]],
                      title: str, axis: str) -> _Chart:
    """Return the PNG bytes of first-pass rates in percent (the team's first) against target lines.

    Above :data:`LABELLED_BARS` bars the team's rate is a solid line and the people's rates,
    highest first, one profile: how many people stand above each target shows at a glance.
    """
    low = min([*rates, *(v for _, v in targets)], default=0.0)
    y_range = (max(0.0, (low // 10) * 10 - 10), 102)
    legend: list[tuple[str, str, int, tuple[int, ...] | None]] = [
        (f"{name} {value:g}%", _RED, 2, dashes) for (name, value), dashes in zip(targets, _DASHES)]
    if len(rates) > LABELLED_BARS:
        chart = _Chart(len(rates) - 1, y_range, axis, _counts(len(rates) - 1), legend=True)
        chart.profile(sorted(rates[1:], reverse=True), _GREY)
        chart.hline(rates[0], _ORANGE, 3)
        legend.insert(0, (f"{labels[0]} {rates[0]:.1f}%", _ORANGE, 3, None))
    else:
        chart = _Chart(len(rates), y_range, axis, list(enumerate(labels)), legend=True)
        chart.bars(rates, [_ORANGE] + [_GREY] * (len(rates) - 1), [f"{r:.1f}" for r in rates])
    for (_, value), dashes in zip(targets, _DASHES):
        chart.hline(value, _RED, 2, dashes)
    chart.legend(legend)
    return chart


def _percent(value: Fraction) -> float:
    # The one-decimal value the tables show, so a bar's label matches the document.
    return float(round_half_up(value * 100))


def score_charts(data: ScoresData, report: ScoreReport, L: dict[str, str]) -> tuple[bytes, bytes]:
    """Return the PNGs of the score sheets: totals per person (rank order), and the first-pass rate of
    the team and of each person with jobs against the three targets; ``L`` gives the words."""
    rated = [r for r in report.results if r.total_rounded is not None]
    totals = totals_chart([r.staff.name for r in rated], [float(r.total_rounded or 0) for r in rated],
                          L["chart_totals"], L["total"], L["rank"])
    services = {s.staff_id: s for s in data.service if s.jobs > 0}
    served = [p for p in data.staff if p.staff_id in services]
    team = report.team.first_pass_rate
    rates = [_percent(team) if team is not None else 0.0]
    rates += [_percent(Fraction(services[p.staff_id].first_pass, services[p.staff_id].jobs)) for p in served]
    first_pass = first_pass_chart([L["chart_team_bar"]] + [p.name for p in served], rates,
                                  [(L["target_" + name], float(value * 100)) for name, value, _ in report.team.targets],
                                  L["chart_team"], "%")
    return totals, first_pass
