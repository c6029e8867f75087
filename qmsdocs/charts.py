"""Chart pictures for the score sheets, drawn with matplotlib as deterministic PNG bytes.

Each chart is drawn on its own ``Figure`` with the Agg canvas (never pyplot, whose global state
would leak between calls), at a fixed size and resolution, and saved without the ``Software``
metadata that would change with the matplotlib version. The same inputs therefore give the same
bytes, which keeps the rendered .docx byte-identical across renders.
"""
from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from qmsdocs.models import ScoresData
from qmsdocs.scoring import ScoreReport, round_half_up

#: Inches and dots per inch of every chart; the template's placeholder pictures share the aspect.
FIGSIZE = (8.0, 4.0)
DPI = 120
#: CJK-capable families, most preferred first (fonts-noto-cjk gives the Noto ones on Linux).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC")


@functools.lru_cache(maxsize=1)
def font_family() -> list[str]:
    """Return the font family list: an installed CJK font first if there is one, then DejaVu Sans."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    chosen = [name for name in CJK_FONTS if name in installed][:1]
    return chosen + ["DejaVu Sans"]


def _png(figure: Any) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)  # attaches itself to the figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _figure() -> tuple[Any, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    return figure, figure.add_subplot()


def _draw(draw: Callable[[], Any]) -> bytes:
    """Return the PNG of a chart drawn by ``draw()``; missing-glyph warnings are silenced.

    Without a CJK font matplotlib warns once per missing glyph; the chart is still useful
    (the document's tables carry the names), so the fallback is silent by design.
    """
    import matplotlib

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        warnings.filterwarnings("ignore", message=r"findfont:")
        with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": font_family(),
                                    "axes.unicode_minus": False}):
            return _png(draw())


def totals_chart(names: Sequence[str], totals: Sequence[float], title: str, axis: str) -> bytes:
    """Return the PNG bytes of a bar chart of each person's total score (0–100)."""

    def draw() -> Any:
        figure, ax = _figure()
        bars = ax.bar(range(len(names)), totals, color="#4472C4", width=0.6)
        ax.bar_label(bars, labels=[f"{t:.1f}" for t in totals], fontsize=8, padding=2)
        ax.set_xticks(range(len(names)), list(names), rotation=45 if len(names) > 8 else 0,
                      ha="right" if len(names) > 8 else "center", fontsize=9)
        ax.set_ylim(0, 105)
        ax.set_ylabel(axis)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        return figure

    return _draw(draw)


def first_pass_chart(labels: Sequence[str], rates: Sequence[float], targets: Sequence[tuple[str, float]],
                     title: str, axis: str) -> bytes:
    """Return the PNG bytes of first-pass rates in percent (the team's first) against target lines."""

    def draw() -> Any:
        figure, ax = _figure()
        colors = ["#ED7D31"] + ["#A5A5A5"] * (len(rates) - 1)
        bars = ax.bar(range(len(labels)), rates, color=colors, width=0.6)
        ax.bar_label(bars, labels=[f"{r:.1f}" for r in rates], fontsize=8, padding=2)
        for (name, value), style in zip(targets, ("--", "-.", ":")):
            ax.axhline(value, linestyle=style, color="#C00000", linewidth=1.2,
                       label=f"{name} {value:g}%")
        low = min([*rates, *(v for _, v in targets)], default=0.0)
        ax.set_ylim(max(0.0, (low // 10) * 10 - 10), 102)
        ax.set_xticks(range(len(labels)), list(labels), rotation=45 if len(labels) > 8 else 0,
                      ha="right" if len(labels) > 8 else "center", fontsize=9)
        ax.set_ylabel(axis)
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        return figure

    return _draw(draw)


def _percent(value: Fraction) -> float:
    # The one-decimal value the tables show, so a bar's label matches the document.
    return float(round_half_up(value * 100))


def score_charts(data: ScoresData, report: ScoreReport, L: dict[str, str]) -> tuple[bytes, bytes]:
    """Return the PNGs of the score sheets: totals per person (rank order), and the first-pass rate of
    the team and of each person with jobs against the three targets; ``L`` gives the words."""
    rated = [r for r in report.results if r.total_rounded is not None]
    totals = totals_chart([r.staff.name for r in rated], [float(r.total_rounded or 0) for r in rated],
                          L["chart_totals"], L["total"])
    services = {s.staff_id: s for s in data.service if s.jobs > 0}
    served = [p for p in data.staff if p.staff_id in services]
    team = report.team.first_pass_rate
    rates = [_percent(team) if team is not None else 0.0]
    rates += [_percent(Fraction(services[p.staff_id].first_pass, services[p.staff_id].jobs)) for p in served]
    first_pass = first_pass_chart([L["chart_team_bar"]] + [p.name for p in served], rates,
                                  [(L["target_" + name], float(value * 100)) for name, value, _ in report.team.targets],
                                  L["chart_team"], "%")
    return totals, first_pass
