"""The charts: valid PNGs of the promised size, drawn headless, whose bars are exactly the
figures of the text that goes with them."""

from __future__ import annotations

import itertools
import os
import re
import struct
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from bot.core import capacity
from bot.core.capacity_charts import (
    HEIGHT_PX,
    WIDTH_PX,
    LoadChart,
    ThemeChart,
    draw_load,
    draw_themes,
    load_png,
    load_table,
    load_text,
    theme_table,
    theme_text,
    themes_png,
)
from bot.core.config_files import TeamConfig
from testkit.clock import FIXED_NOW

if TYPE_CHECKING:
    from matplotlib.figure import Figure
from testkit.team_config import REPO
from tests.capaciteit.test_capacity_model import bundled_inputs


@pytest.fixture(scope="module")
def picture(team_config: TeamConfig) -> capacity.Picture:
    return capacity.compute(bundled_inputs(team_config), FIXED_NOW)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    assert data.endswith(b"IEND\xaeB`\x82"), "truncated PNG"
    return width, height


def test_both_charts_are_pngs_of_the_expected_size(picture: capacity.Picture) -> None:
    assert png_size(load_png(load_table(picture))) == (WIDTH_PX, HEIGHT_PX)
    assert png_size(themes_png(theme_table(picture))) == (WIDTH_PX, HEIGHT_PX)


def _dutch(text: str) -> float:
    return float(text.replace(",", "."))


def test_the_load_bars_are_the_figures_of_the_text(picture: capacity.Picture) -> None:
    chart = load_table(picture)
    axes = draw_load(chart).axes[0]
    # Per theme a container of bars, per bar its length: the stacked percentages.
    drawn = [tuple(round(bar.get_width(), 1) for bar in c) for c in axes.containers]
    assert drawn == [tuple(row) for row in chart.percent]
    assert [t.get_text() for t in axes.get_yticklabels()] == list(chart.names)
    assert axes.get_lines()[0].get_xdata()[0] == 100  # the 100 % line
    # The text equivalent prints the same numbers, person by person and theme by theme.
    lines = load_text(chart).splitlines()[1:]
    for index, line in enumerate(lines):
        name, _, rest = line.removeprefix("• ").partition(" — ")
        assert name == chart.names[index]
        total = re.match(r"([\d,]+) %", rest)
        assert total and _dutch(total[1]) == chart.total[index]
        found = re.findall(r"([^:,]+?) ([\d,]+) %", rest.partition(": ")[2])
        shown = {theme.strip(): value for theme, value in found}
        for t, theme in enumerate(chart.themes):
            value = chart.percent[t][index]
            assert _dutch(shown[theme]) == value if value else theme not in shown
    assert [t.get_text() for t in axes.get_legend().get_texts()][1:] == list(chart.themes)


def test_the_theme_bars_are_the_figures_of_the_text(picture: capacity.Picture) -> None:
    chart = theme_table(picture)
    axes = draw_themes(chart).axes[0]
    demand, supply = ([round(bar.get_width(), 2) for bar in c] for c in axes.containers)
    assert (tuple(demand), tuple(supply)) == (chart.demand, chart.supply)
    for line, theme, d, s in zip(
        theme_text(chart).splitlines()[1:], chart.themes, demand, supply, strict=True
    ):
        assert line == f"• {theme} — vraag {_fmt(d)}, aanbod {_fmt(s)}"


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def test_the_charts_render_without_a_display_and_serve_does_not_import_matplotlib() -> None:
    script = (
        "import sys, bot.web, handlers.capaciteit, bot.core.capacity_charts as c\n"
        "assert 'matplotlib' not in sys.modules, 'imported at start'\n"
        "from bot.core import capacity\n"
        "p = capacity.compute(capacity.Inputs((capacity.Person('a', 'A', 36),), ()), "
        "__import__('datetime').datetime(2026, 1, 1, tzinfo=__import__('datetime').UTC))\n"
        "assert c.load_png(c.load_table(p))[:4] == b'\\x89PNG'\n"
        "import matplotlib; print(matplotlib.get_backend())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().lower() == "agg"


def _texts_fit_apart(figure: Figure) -> list[str]:
    """What a reader of the printed chart would see wrong: labels over each other or cut off."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    page = figure.bbox
    axes = figure.axes[0]
    problems = []
    x_low, x_high = axes.get_xlim()
    y_low, y_high = sorted(axes.get_ylim())
    shown = (  # ticks outside the axis range are not drawn
        [t for t in axes.get_xticklabels() if x_low <= t.get_position()[0] <= x_high],
        [t for t in axes.get_yticklabels() if y_low <= t.get_position()[1] <= y_high],
    )
    for ticks in shown:
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ticks if t.get_text()]
        for (name, box), (other, next_box) in itertools.pairwise(boxes):
            if box.overlaps(next_box):
                problems.append(f"{name!r} overlaps {other!r}")
        for name, box in boxes:
            if box.x0 < page.x0 or box.x1 > page.x1 or box.y0 < page.y0 or box.y1 > page.y1:
                problems.append(f"{name!r} is cut off")
    return problems


def test_many_people_long_names_zero_and_over_100_stay_readable_in_grey() -> None:
    names = tuple(f"Medewerker met een heel lange achternaam {i}" for i in range(40))
    themes = ("Structurele taken", "Zorg en veiligheid", "Ondermijning en georganiseerde misdaad")
    percent = tuple(
        tuple(250.0 if i == 0 else 0.0 if i == 1 else 20.0 for i in range(40)) for _ in themes
    )
    total = tuple(sum(row[i] for row in percent) for i in range(40))
    figure = draw_load(LoadChart(names, themes, percent, total))
    assert _texts_fit_apart(figure) == []
    labels = [t.get_text() for t in figure.axes[0].texts]
    assert labels[:3] == ["750 % (boven 100 %)", "0 %", "60 %"]  # a 0 bar is still named
    hatches = [c.patches[0].get_hatch() or "" for c in figure.axes[0].containers]
    assert len(set(hatches)) == len(themes)  # told apart without colour


def test_many_long_theme_names_do_not_overlap_and_every_value_is_written() -> None:
    themes = tuple(f"Thema {i} met een lange omschrijving erbij" for i in range(12))
    chart = ThemeChart(themes, tuple(float(i) for i in range(12)), (0.0,) * 12)
    figure = draw_themes(chart)
    assert _texts_fit_apart(figure) == []
    assert [t.get_text() for t in figure.axes[0].texts].count("0") == 13
    demand, supply = figure.axes[0].containers
    assert demand.patches[0].get_hatch() != supply.patches[0].get_hatch()
