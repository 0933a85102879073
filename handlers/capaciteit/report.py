"""The capacity report for the team lead's memo to management: the figures of `/capaciteit` as a
document (Word and Markdown through `bot.core.documents`), with both charts and their tables."""

from __future__ import annotations

from bot.core.cadence import format_hours
from bot.core.capacity import UNALLOCATED, Picture
from bot.core.capacity_charts import (
    LOAD_TITLE,
    THEME_TITLE,
    LoadChart,
    load_png,
    load_table,
    pct,
    theme_table,
    themes_png,
)
from bot.core.documents import Block, Bullets, Document, Figure, Heading, Paragraph, Table
from bot.language import format_date


def _h(value: float) -> str:
    return format_hours(round(value, 2))


def report_stem(picture: Picture) -> str:
    """The report's file name without extension, dated as the Slack upload is: an earlier memo
    in the same folder keeps its own files and charts."""
    return f"capaciteit-{picture.now:%Y-%m-%d}"


def report_document(picture: Picture) -> Document:
    settings = picture.settings
    stem = report_stem(picture)
    load = load_table(picture, limit=len(picture.people))
    shown = load_table(picture)  # the chart shows at most MAX_PEOPLE bars
    themes = theme_table(picture)
    people = {p.person.name: p for p in picture.people}
    person_rows = tuple(
        (
            name,
            _h(people[name].person.contract_hours),
            _h(people[name].supply),
            _h(people[name].demand),
            load.total_text(i),
        )
        for i, name in enumerate(load.names)
    )
    by_theme = {t.theme: t for t in picture.themes}
    theme_rows = tuple(
        (
            theme,
            _h(demand),
            _h(supply),
            _h(by_theme[theme].unowned),
            str(by_theme[theme].unknown),
        )
        for theme, demand, supply in zip(themes.themes, themes.demand, themes.supply, strict=True)
        if theme != UNALLOCATED or supply
    )
    rows = sorted(
        (r for p in picture.people for r in p.rows), key=lambda r: (r.person or "", -r.hours)
    )
    names = {p.person.key: p.person.name for p in picture.people}
    trace = tuple(
        (names.get(r.person or "", "niemand"), r.label, r.role, r.theme, _h(r.hours), r.basis)
        for r in [*rows, *picture.unowned]
    )
    unknown = tuple(
        (u.subject, u.theme, names.get(u.owner or "", "niemand"), u.reason) for u in picture.unknown
    )
    if not picture.people:
        charts: tuple[Block, ...] = (
            Heading("Belasting per persoon"),
            Paragraph("Het team heeft (nog) geen mensen: er is geen belasting te tonen."),
        )
    else:
        charts = (
            Heading("Belasting per persoon"),
            Figure(
                load_png(shown),
                f"{stem}-belasting.png",
                LOAD_TITLE,
                _load_alt(shown),
            ),
            Table(
                ("Persoon", "Contract (u/week)", "Beschikbaar", "Vraag", "Belasting"),
                person_rows,
                caption="Vraag en aanbod per persoon, uur per week",
            ),
            Heading("Vraag en aanbod per thema"),
            Figure(
                themes_png(themes),
                f"{stem}-thema.png",
                THEME_TITLE,
                "Staafdiagram: "
                + "; ".join(
                    f"{t} vraag {_h(d)}, aanbod {_h(s)}"
                    for t, d, s in zip(themes.themes, themes.demand, themes.supply, strict=True)
                ),
            ),
            Table(
                ("Thema", "Vraag", "Aanbod", "Zonder eigenaar", "Taken zonder uren"),
                theme_rows,
                caption="Uur per week; het aanbod per thema volgt de verdeling van ieders vraag",
            ),
        )
    blocks = (
        Heading("Samenvatting"),
        Paragraph(
            f"Het team vraagt {_h(picture.demand)} uur per week "
            f"({_h(picture.fte(picture.demand))} fte) aan bekende uren; beschikbaar is "
            f"{_h(picture.supply)} uur per week ({_h(picture.fte(picture.supply))} fte) van "
            f"{_h(picture.contract)} contracturen. Belasting: {pct(round(100 * picture.load, 1))}. "
            + _unknown_sentence(len(picture.unknown))
        ),
        *charts,
        Heading("Taken zonder uren (niet meegeteld)"),
        Table(("Taak", "Thema", "Eigenaar", "Waarom"), unknown)
        if unknown
        else Paragraph("Alle taken hebben uren."),
        Heading("Herkomst van elk uur"),
        Table(("Persoon", "Wat", "Rol", "Thema", "U/week", "Berekening"), trace)
        if trace
        else Paragraph("Er zijn nog geen uren om te herleiden: geen taak, overleg of dienst telt."),
        Heading("Rekenregels"),
        Bullets(
            (
                *(
                    f"{rule.strip().rstrip('.')}."
                    for rule in picture.rules.split(". ")
                    if rule.strip()
                ),
                f"Overhead (verlof, feestdagen, ziekte, opleiding): "
                f"{pct(round(100 * settings.overhead_share, 1))}; 1 fte = "
                f"{_h(settings.fte_hours)} uur.",
            )
        ),
    )
    return Document(
        title="Capaciteit team OOV",
        subtitle=f"Stand van {format_date(picture.now)}",
        blocks=blocks,
        created=picture.now,
    )


def _load_alt(shown: LoadChart) -> str:
    """What the load chart shows, for a screen reader: the same marks as the chart and the
    people it leaves out."""
    people = [f"{name} {shown.total_text(i)}" for i, name in enumerate(shown.names)]
    if shown.left_out:
        people.append(f"en {shown.left_out} anderen, minder belast (zie de tabel)")
    return "Staafdiagram: " + "; ".join(people)


def _unknown_sentence(count: int) -> str:
    if count == 0:
        return "Alle taken hebben uren."
    if count == 1:
        return "1 taak heeft nog geen uren en telt niet mee."
    return f"{count} taken hebben nog geen uren en tellen niet mee."


def report_docx(document: Document) -> bytes:
    from bot.core.documents import render_docx

    return render_docx(document)
