"""The charts: valid PNGs of the promised size, drawn headless, whose bars are exactly the
figures of the text that goes with them."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys

import pytest

from bot.core import capacity
from bot.core.capacity_charts import (
    HEIGHT_PX,
    WIDTH_PX,
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
    # Per theme a container of bars, per bar its height: the stacked percentages.
    drawn = [tuple(round(bar.get_height(), 1) for bar in c) for c in axes.containers]
    assert drawn == [tuple(row) for row in chart.percent]
    assert [t.get_text() for t in axes.get_xticklabels()] == list(chart.names)
    assert axes.get_lines()[0].get_ydata()[0] == 100  # the 100 % line
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
    demand, supply = ([round(bar.get_height(), 2) for bar in c] for c in axes.containers)
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
