"""The capacity charts and their text equivalents, from one set of figures each.

`load_table` / `theme_table` give the figures; the charts draw exactly those, and the text tables
print exactly those, so a screen reader or a failed upload loses nothing. matplotlib (Agg, no
display needed) is imported only inside the drawing functions: nothing `serve` imports at start
pays for it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.cadence import format_hours
from bot.core.capacity import Picture

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100
MAX_PEOPLE = 40  # more bars than this are unreadable; the rest are named in the text
LOAD_TITLE = "Belasting per persoon (% van de beschikbare uren)"
THEME_TITLE = "Vraag en aanbod per thema (uur per week)"
# Colour-blind safe (Okabe-Ito), so stacks stay distinguishable without colour vision.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass(frozen=True)
class LoadChart:
    names: tuple[str, ...]
    themes: tuple[str, ...]
    percent: tuple[tuple[float, ...], ...]  # per theme: per person, % of their supply
    total: tuple[float, ...]  # per person
    left_out: int = 0  # people beyond MAX_PEOPLE (the least loaded)


@dataclass(frozen=True)
class ThemeChart:
    themes: tuple[str, ...]
    demand: tuple[float, ...]  # hours per week
    supply: tuple[float, ...]


def load_table(picture: Picture, limit: int = MAX_PEOPLE) -> LoadChart:
    """The most loaded people first; `percent` per theme stacks up to `total`."""
    loads = sorted(picture.people, key=lambda p: (-_percent(p.demand, p.supply), p.person.name))
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


# --- text equivalents -------------------------------------------------------------------------


def load_text(chart: LoadChart) -> str:
    lines = [f"{LOAD_TITLE}:"]
    for index, name in enumerate(chart.names):
        parts = [
            f"{theme} {pct(chart.percent[t][index])}"
            for t, theme in enumerate(chart.themes)
            if chart.percent[t][index]
        ]
        over = " (boven 100 %)" if chart.total[index] > 100 else ""
        detail = f": {', '.join(parts)}" if parts else ""
        lines.append(f"• {name} — {pct(chart.total[index])}{over}{detail}")
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


def draw_load(chart: LoadChart) -> Figure:
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(chart.names)))
    bottoms = [0.0] * len(chart.names)
    for t, theme in enumerate(chart.themes):
        values = chart.percent[t]
        axes.bar(positions, values, bottom=bottoms, label=theme, color=COLOURS[t % len(COLOURS)])
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    axes.axhline(100, color="#D55E00", linestyle="--", linewidth=1.5, label="100 %")
    axes.set_xticks(positions, chart.names, rotation=30 if len(chart.names) > 6 else 0,
                    ha="right" if len(chart.names) > 6 else "center", fontsize=8)  # fmt: skip
    axes.set_ylabel("% van beschikbare uren per week")
    title = LOAD_TITLE if not chart.left_out else f"{LOAD_TITLE}, de {len(chart.names)} hoogste"
    axes.set_title(title)
    axes.set_ylim(0, max([110.0, *(v * 1.1 for v in chart.total)]))
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return figure


def draw_themes(chart: ThemeChart) -> Figure:
    figure = _figure()
    axes = figure.add_subplot()
    positions = list(range(len(chart.themes)))
    width = 0.4
    axes.bar([p - width / 2 for p in positions], chart.demand, width, label="Vraag",
             color=COLOURS[5])  # fmt: skip
    axes.bar([p + width / 2 for p in positions], chart.supply, width, label="Aanbod",
             color=COLOURS[0])  # fmt: skip
    axes.set_xticks(positions, [_wrap(t) for t in chart.themes], fontsize=8)
    axes.set_ylabel("uur per week")
    axes.set_title(THEME_TITLE)
    axes.legend(fontsize=8)
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
