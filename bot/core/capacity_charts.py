"""The capacity charts and their text equivalents, from one set of figures each.

`load_table` / `theme_table` give the figures; the charts draw exactly those, and the text tables
print exactly those, so a screen reader or a failed upload loses nothing. matplotlib (Agg, no
display needed) is imported only inside the drawing functions: nothing `serve` imports at start
pays for it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from bot.core.cadence import format_hours
from bot.core.capacity import Picture

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100
MAX_PEOPLE = 40  # more bars than this are unreadable; the rest are named in the text
LOAD_TITLE = "Belasting per persoon (% van de beschikbare uren)"
THEME_TITLE = "Vraag en aanbod per thema (uur per week)"
# Colour-blind safe (Okabe-Ito), so stacks stay distinguishable without colour vision.
# A person with work and 0 hours: no percentage, and always over.
NO_SUPPLY = "geen beschikbare uren"
OVER_NOTE = " (boven 100 %)"
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


class LoadChart(Struct, frozen=True):
    names: tuple[str, ...]
    themes: tuple[str, ...]
    percent: tuple[tuple[float, ...], ...]  # per theme: per person, % of their supply
    total: tuple[float, ...]  # per person
    left_out: int = 0  # people beyond MAX_PEOPLE (the least loaded)
    # per person: work but no hours to do it in (0 contract hours), which no percentage says
    no_supply: tuple[bool, ...] = ()

    def total_text(self, index: int) -> str:
        """'20,3 %', '112 % (boven 100 %)' or 'geen beschikbare uren (boven 100 %)'."""
        if self.no_supply and self.no_supply[index]:
            return f"{NO_SUPPLY}{OVER_NOTE}"
        total = self.total[index]
        return pct(total) + (OVER_NOTE if total > 100 else "")

    def is_over(self, index: int) -> bool:
        return bool(self.no_supply and self.no_supply[index]) or self.total[index] > 100


class ThemeChart(Struct, frozen=True):
    themes: tuple[str, ...]
    demand: tuple[float, ...]  # hours per week
    supply: tuple[float, ...]


def load_table(picture: Picture, limit: int = MAX_PEOPLE) -> LoadChart:
    """The most loaded people first; `percent` per theme stacks up to `total`."""
    # Work without hours (an infinite load) comes first, as the most loaded.
    loads = sorted(
        picture.people,
        key=lambda p: (
            -(math.inf if p.supply <= 0 < p.demand else _percent(p.demand, p.supply)),
            p.person.name,
        ),
    )
    shown = loads[:limit]
    themes = tuple(t.theme for t in picture.themes if any(p.by_theme().get(t.theme) for p in shown))
    percent = tuple(
        tuple(_percent(p.by_theme().get(theme, 0.0), p.supply) for p in shown) for theme in themes
    )
    return LoadChart(
        names=tuple(p.person.name for p in shown),
        themes=themes,
        percent=percent,
        total=tuple(_percent(p.demand, p.supply) for p in shown),
        left_out=len(loads) - len(shown),
        no_supply=tuple(p.supply <= 0 < p.demand for p in shown),
    )


def theme_table(picture: Picture) -> ThemeChart:
    themes = picture.themes
    return ThemeChart(
        themes=tuple(t.theme for t in themes),
        demand=tuple(round(t.demand, 2) for t in themes),
        supply=tuple(round(t.supply, 2) for t in themes),
    )


def _percent(hours: float, supply: float) -> float:
    return round(100 * hours / supply, 1) if supply > 0 else 0.0


def pct(value: float) -> str:
    return f"{format_hours(value)} %"


def load_percent(demand: float, supply: float) -> str:
    """Demand as a share of supply, '20,3 %'; 'geen beschikbare uren' for work without hours."""
    if supply <= 0:
        return NO_SUPPLY if demand > 0 else pct(0)
    return pct(round(100 * demand / supply, 1))


def over_capacity(demand: float, supply: float) -> bool:
    return demand > 0 and (supply <= 0 or demand > supply)


# --- text equivalents -------------------------------------------------------------------------


def load_text(chart: LoadChart) -> str:
    lines = [f"{LOAD_TITLE}:"]
    for index, name in enumerate(chart.names):
        parts = [
            f"{theme} {pct(chart.percent[t][index])}"
            for t, theme in enumerate(chart.themes)
            if chart.percent[t][index]
        ]
        detail = f": {', '.join(parts)}" if parts else ""
        lines.append(f"• {name} — {chart.total_text(index)}{detail}")
    if chart.left_out:
        lines.append(f"• en {chart.left_out} anderen, minder belast")
    return "\n".join(lines)


def theme_text(chart: ThemeChart) -> str:
    lines = [f"{THEME_TITLE}:"]
    for theme, demand, supply in zip(chart.themes, chart.demand, chart.supply, strict=True):
        lines.append(f"• {theme} — vraag {format_hours(demand)}, aanbod {format_hours(supply)}")
    return "\n".join(lines)


# --- drawing ----------------------------------------------------------------------------------


def _figure() -> Figure:
    from matplotlib.figure import Figure  # lazily: only rendering pays for matplotlib

    return Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # headless: no display needed

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


# Per theme a hatch as well as a colour: the bars stay apart on a grey-scale print.
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")


def _label_bars(axes: Any, container: Any, texts: Sequence[str]) -> None:
    """The figure at the end of each bar, so a 0 stays visible and no colour is needed."""
    axes.bar_label(container, labels=list(texts), padding=3, fontsize=7)


def draw_load(chart: LoadChart) -> Figure:
    """Horizontal bars, the most loaded person on top: names read level and do not overlap, also
    with many people or long names."""
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(chart.names)))
    lefts = [0.0] * len(chart.names)
    container = None
    for t, theme in enumerate(chart.themes):
        values = chart.percent[t]
        container = axes.barh(
            positions, values, left=lefts, label=theme, color=COLOURS[t % len(COLOURS)],
            hatch=HATCHES[t % len(HATCHES)], edgecolor="white", linewidth=0.5,
        )  # fmt: skip
        lefts = [b + v for b, v in zip(lefts, values, strict=True)]
    if container is None:  # no theme has hours: still one (empty) row of bars to label
        container = axes.barh(positions, [0.0] * len(positions))
    totals = [chart.total_text(index) for index in range(len(chart.names))]
    _label_bars(axes, container, totals)
    axes.axvline(100, color="black", linestyle="--", linewidth=1.2, label="100 %")
    size = 8 if len(chart.names) <= 20 else 6
    # Few rows have room for a long name on two lines; many rows get one line each.
    labels = [_wrap(name, 40) if len(chart.names) <= 15 else name for name in chart.names]
    axes.set_yticks(positions, labels, fontsize=size)
    axes.invert_yaxis()  # the most loaded first, at the top
    axes.set_xlabel("% van beschikbare uren per week")
    title = LOAD_TITLE if not chart.left_out else f"{LOAD_TITLE}, de {len(chart.names)} hoogste"
    axes.set_title(title)
    # Room right of the longest bar for its label.
    axes.set_xlim(0, max([125.0, *(v * 1.3 for v in chart.total)]))
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=4)
    return figure


def draw_themes(chart: ThemeChart) -> Figure:
    """Per theme a demand and a supply bar, horizontal so that long theme names stay readable."""
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(chart.themes)))
    height = 0.4
    demand = axes.barh([p - height / 2 for p in positions], chart.demand, height, label="Vraag",
                       color=COLOURS[5], hatch="//", edgecolor="white")  # fmt: skip
    supply = axes.barh([p + height / 2 for p in positions], chart.supply, height, label="Aanbod",
                       color=COLOURS[0], edgecolor="white")  # fmt: skip
    _label_bars(axes, demand, [format_hours(v) for v in chart.demand])
    _label_bars(axes, supply, [format_hours(v) for v in chart.supply])
    size = 8 if len(chart.themes) <= 12 else 6
    axes.set_yticks(positions, [_wrap(t, 30) for t in chart.themes], fontsize=size)
    axes.invert_yaxis()
    axes.set_xlabel("uur per week")
    axes.set_title(THEME_TITLE)
    axes.set_xlim(0, max([1.0, *chart.demand, *chart.supply]) * 1.15)
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=2)
    return figure


def _wrap(text: str, width: int = 18) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


def load_png(chart: LoadChart) -> bytes:
    return _png(draw_load(chart))


def themes_png(chart: ThemeChart) -> bytes:
    return _png(draw_themes(chart))
