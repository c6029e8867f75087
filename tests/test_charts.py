"""The chart pictures: no title of their own (the document's caption is the title), legend clear of the bars."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from qmsdocs import charts

WHITE = (255, 255, 255)
TARGETS = [("Target", 90.0), ("Benchmark", 95.0), ("Best", 99.0)]


def _band(png: bytes, top: int) -> set[tuple[int, int, int]]:
    """Return the colours painted above row ``top`` of the picture."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    band = image.crop((0, 0, image.width, top))
    return {band.getpixel((x, y)) for x in range(band.width) for y in range(band.height)}


@pytest.mark.parametrize("people", [3, 60])
def test_totals_chart_paints_no_title(people: int) -> None:
    names = [f"P{i}" for i in range(people)]
    png = charts.totals_chart(names, [80.0] * people, "Totals of each person", "Total", "Rank")
    top = charts._Chart(people, (0, 105), "Total", list(enumerate(names))).top
    assert _band(png, top) == {WHITE}


@pytest.mark.parametrize("people", [3, 60])
def test_first_pass_legend_sits_above_the_plot(people: int) -> None:
    rates = [92.0] + [float(60 + i % 40) for i in range(people)]
    figure = charts.first_pass_figure(["Team"] + [f"P{i}" for i in range(people)], rates, TARGETS, "Rate", "%")
    left, top, right, bottom = figure.legend_box
    assert bottom <= figure.top and left >= figure.left and right <= figure.right
    # Nothing but the legend above the plot: the title is the caption in the document.
    image = figure.image.crop((0, 0, figure.width, figure.top))
    painted = [x for x in range(image.width) if any(image.getpixel((x, y)) != WHITE for y in range(image.height))]
    assert painted and min(painted) >= left and max(painted) <= right
