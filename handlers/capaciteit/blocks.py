"""Block Kit for /capaciteit: the team picture, one person's rows, what-ifs and pick lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.core.cadence import format_hours
from bot.core.capacity import UNALLOCATED, PersonLoad, Picture, Row, Unknown
from bot.core.capacity_charts import load_percent, load_table, over_capacity, pct, theme_table
from bot.services.capacity import Change, PersonAnswer, TaskChoice, WhatIf
from handlers.blocks import (
    SECTION_TEXT_LIMIT,
    Block,
    Reply,
    actions,
    button,
    context,
    escape,
    header,
    line_sections,
    section,
)

CHARTS_BUTTON = "capacity_charts"
REPORT_BUTTON = "capacity_report"
WHAT_IF_BUTTON = "capacity_what_if"
TEAM = "team"  # the value of the chart and report buttons
UNKNOWN_SHOWN = 15
ROW_SECTIONS = 30  # of a person's rows: with the other parts well within 50 blocks
OVER = ":warning:"


def hours(value: float) -> str:
    return f"{format_hours(round(value, 2))} u/week"


def fte(picture: Picture, value: float) -> str:
    return f"{format_hours(round(picture.fte(value), 2))} fte"


def load_mark(load: PersonLoad) -> str:
    text = load_percent(load.demand, load.supply)
    return f"{OVER} *{text}* (meer dan 100 %)" if load.over else text


def _chunks(lines: Iterable[str], title: str) -> list[Block]:
    """Sections of at most SECTION_TEXT_LIMIT characters, the first one titled."""
    blocks: list[Block] = []
    text = title
    for line in lines:
        if len(text) + len(line) + 1 > SECTION_TEXT_LIMIT:
            blocks.append(section(text))
            text = ""
        text = f"{text}\n{line}" if text else line
    if text:
        blocks.append(section(text))
    return blocks


def summary_line(picture: Picture) -> str:
    return (
        f"*Team:* vraag {hours(picture.demand)} ({fte(picture, picture.demand)}) · beschikbaar "
        f"{hours(picture.supply)} ({fte(picture, picture.supply)}) van "
        f"{hours(picture.contract)} contract · belasting {pct(round(100 * picture.load, 1))}"
    )


def person_lines(picture: Picture) -> list[str]:
    """One line per person, the figures of the load chart (most loaded first)."""
    chart = load_table(picture)
    by_name = {p.person.name: p for p in picture.people}
    lines = []
    for index, name in enumerate(chart.names):
        load = by_name[name]
        over = f" {OVER} *meer dan 100 %*" if chart.is_over(index) else ""
        lines.append(
            f"• {escape(name)}: {hours(load.demand)} van {hours(load.supply)} — "
            f"{load_percent(load.demand, load.supply)}{over}"
        )
    if chart.left_out:
        lines.append(f"• en {chart.left_out} anderen, minder belast (zie het rapport)")
    return lines


def theme_lines(picture: Picture) -> list[str]:
    chart = theme_table(picture)
    by_theme = {t.theme: t for t in picture.themes}
    lines = []
    for theme, demand, supply in zip(chart.themes, chart.demand, chart.supply, strict=True):
        extra = []
        if by_theme[theme].unowned:
            extra.append(f"{hours(by_theme[theme].unowned)} zonder eigenaar")
        if by_theme[theme].unknown:
            count = by_theme[theme].unknown
            extra.append(f"{count} {'taak' if count == 1 else 'taken'} zonder uren")
        note = f" ({', '.join(extra)})" if extra else ""
        label = "aanbod zonder taken" if theme == UNALLOCATED else f"vraag {hours(demand)}"
        lines.append(f"• {escape(theme)}: {label}, aanbod {hours(supply)}{note}")
    return lines


def unknown_lines(unknown: Sequence[Unknown], limit: int = UNKNOWN_SHOWN) -> list[str]:
    lines = []
    for entry in unknown[:limit]:
        partial = (
            f"; alleen de vergaderuren tellen: {hours(entry.partial)}" if entry.partial else ""
        )
        lines.append(f"• {escape(entry.subject)} _({escape(entry.reason)}{partial})_")
    if len(unknown) > limit:
        lines.append(f"• en nog {len(unknown) - limit} (alle taken staan in het rapport)")
    return lines


def team_blocks(picture: Picture, *, with_buttons: bool = True) -> list[Block]:
    blocks: list[Block] = [header("Capaciteit team OOV"), section(summary_line(picture))]
    blocks += _chunks(person_lines(picture), "*Per persoon* (belasting = vraag ÷ beschikbaar)")
    blocks += _chunks(theme_lines(picture), "*Per thema*")
    if picture.unowned:
        lines = [f"• {escape(r.label)}: {hours(r.hours)}" for r in picture.unowned[:20]]
        if len(picture.unowned) > 20:
            lines.append(f"• en nog {len(picture.unowned) - 20} (zie het rapport)")
        blocks += _chunks(lines, "*Zonder eigenaar* (telt mee in de vraag van het team)")
    blocks += _chunks(
        unknown_lines(picture.unknown),
        f"*Zonder uren: {len(picture.unknown)} taken* — niet meegeteld, niet als 0: vul een "
        "schatting in `config/capaciteit.yaml` in",
    )
    blocks.append(context(escape(picture.rules)))
    if with_buttons:
        blocks.append(
            actions(
                button("Grafieken in mijn DM", CHARTS_BUTTON, TEAM),
                button("Rapport (Word)", REPORT_BUTTON, TEAM),
            )
        )
    return blocks


def team_reply(picture: Picture) -> Reply:
    return Reply(text="Capaciteit team OOV", blocks=team_blocks(picture))


def row_line(row: Row) -> str:
    return (
        f"• {hours(row.hours)} — {escape(row.label)} ({row.role}, {escape(row.theme)}): "
        f"{escape(row.basis)}"
    )


def person_reply(answer: PersonAnswer) -> Reply:
    load = answer.load
    name = load.person.name
    blocks: list[Block] = [
        header(f"Capaciteit van {name}"),
        section(
            f"*Vraag* {hours(load.demand)} · *beschikbaar* {hours(load.supply)} "
            f"({format_hours(load.person.contract_hours)} contracturen min "
            f"{pct(round(100 * answer.picture.settings.overhead_share, 1))} verlof, feestdagen, "
            f"ziekte en opleiding) · *belasting* {load_mark(load)}"
        ),
    ]
    themes = sorted(load.by_theme().items(), key=lambda item: -item[1])
    if themes:
        blocks.append(
            section("*Per thema*\n" + "\n".join(f"• {escape(t)}: {hours(h)}" for t, h in themes))
        )
    rows = sorted(load.rows, key=lambda r: -r.hours)
    # Capped, so the answer stays within a message's 50 blocks however many tasks someone has.
    blocks += line_sections(
        [row_line(r) for r in rows] or ["_geen uren_"],
        heading="*Waar de uren vandaan komen*",
        max_sections=ROW_SECTIONS,
        more="• en nog {n} (alle taken staan in het rapport)",
    )
    own_unknown = [u for u in answer.picture.unknown if u.owner == load.person.key]
    if own_unknown:
        blocks += _chunks(
            unknown_lines(own_unknown),
            f"*Zonder uren: {len(own_unknown)} taken* (niet meegeteld)",
        )
    blocks.append(context(escape(answer.picture.rules)))
    shown = load_percent(load.demand, load.supply)
    return Reply(text=f"Capaciteit van {escape(name)}: {shown}", blocks=blocks)


def change_line(change: Change) -> str:
    over = f" {OVER} *meer dan 100 %*" if over_capacity(change.after, change.supply) else ""
    return (
        f"• {escape(change.name)}: {hours(change.before)} → {hours(change.after)} "
        f"({change.load_text()}){over}"
    )


def what_if_blocks(found: WhatIf) -> list[Block]:
    blocks: list[Block] = [
        section(f"*Als:* {escape(found.description)}\n_Er wordt niets gewijzigd._"),
    ]
    if found.people:
        blocks.append(section("\n".join(change_line(c) for c in found.people)))
    if found.note:
        blocks.append(section(f"{OVER} {escape(found.note)}"))
    if found.theme is not None:
        before, after = found.before.theme(found.theme), found.after.theme(found.theme)
        if before is not None and after is not None:
            blocks.append(
                section(
                    f"• {escape(found.theme)}: vraag {hours(after.demand)}, aanbod "
                    f"{hours(before.supply)} → {hours(after.supply)}"
                )
            )
    blocks.append(
        section(
            f"• Team: belasting {pct(round(100 * found.before.load, 1))} → "
            f"{pct(round(100 * found.after.load, 1))}; beschikbaar {hours(found.before.supply)} "
            f"→ {hours(found.after.supply)}"
        )
    )
    return blocks


def what_if_reply(found: WhatIf) -> Reply:
    blocks: list[Block] = [header("Capaciteit: wat als"), *what_if_blocks(found)]
    blocks.append(context("Zo ziet het er uit na de wijziging; het takenoverzicht blijft gelijk."))
    return Reply(text=f"Als {escape(found.description)}", blocks=blocks)


def choice_reply(choice: TaskChoice) -> Reply:
    shown = escape(choice.query)
    tasks = choice.matches or choice.suggestions
    if not tasks:
        text = f"Geen taak gevonden voor “{shown}”. Probeer een ander woord of een afkorting."
        return Reply(text=text, blocks=[section(text)])
    intro = (
        f"Meerdere taken passen bij “{shown}”. Welke bedoel je?"
        if choice.matches
        else f"Geen taak gevonden voor “{shown}”. Bedoel je een van deze?"
    )
    blocks: list[Block] = [section(intro)]
    for number, task in enumerate(tasks):
        blocks.append(
            section(
                f"*{escape(task.subject)}*",
                accessory=button(
                    "Reken door",
                    f"{WHAT_IF_BUTTON}:{number}",
                    f"{task.id} {choice.person_text}"[:150],
                ),
            )
        )
    return Reply(text=intro, blocks=blocks)


def home_blocks(load: PersonLoad, picture: Picture) -> list[Block]:
    """The caller's own load for the App Home."""
    themes = sorted(load.by_theme().items(), key=lambda item: -item[1])
    detail = ", ".join(f"{escape(t)} {hours(h)}" for t, h in themes[:4])
    unknown = sum(1 for u in picture.unknown if u.owner == load.person.key)
    lines = [
        "*Jouw capaciteit*",
        f"Belasting {load_mark(load)} — {hours(load.demand)} van {hours(load.supply)} beschikbaar",
    ]
    if detail:
        lines.append(detail)
    if unknown:
        lines.append(f"_{unknown} van je taken hebben nog geen uren (niet meegeteld)._")
    return [section("\n".join(lines)), context("Waar de uren vandaan komen: `/capaciteit ik`")]
