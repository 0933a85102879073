"""The capacity report as the team lead reads it when there is little to show: a sentence where a
table would be empty, and sentences that are Dutch for one as for many."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx

from bot.core import capacity
from bot.core.documents import render_docx
from handlers.capaciteit.report import report_document

NOW = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def _word(inputs: capacity.Inputs) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(report_document(capacity.compute(inputs, NOW)))))


def test_a_team_without_hours_or_people_gets_sentences_not_empty_tables() -> None:
    word = _word(capacity.Inputs((capacity.Person("a", "A", 36),), ()))
    headers = [[c.text for c in t.rows[0].cells] for t in word.tables]
    assert all(len(t.rows) > 1 for t in word.tables), headers  # no header-only table
    texts = [p.text for p in word.paragraphs]
    at = texts.index("Herkomst van elk uur")
    assert (
        texts[at + 1] == "Er zijn nog geen uren om te herleiden: geen taak, overleg of dienst telt."
    )

    nobody = _word(capacity.Inputs((), ()))
    assert all(len(t.rows) > 1 for t in nobody.tables)
    assert len(nobody.inline_shapes) == 0  # no empty charts
    texts = [p.text for p in nobody.paragraphs]
    assert "Het team heeft (nog) geen mensen: er is geen belasting te tonen." in texts


def test_the_summary_counts_tasks_in_proper_dutch_and_every_rule_ends_its_sentence() -> None:
    texts = [
        p.text for p in _word(capacity.Inputs((capacity.Person("a", "A", 36),), ())).paragraphs
    ]
    summary = texts[texts.index("Samenvatting") + 1]
    assert summary.endswith("Belasting: 0 %. Alle taken hebben uren.")
    assert "0 taken hebben" not in summary
    rules = texts[texts.index("Rekenregels") + 1 :]
    assert rules and all(rule.endswith(".") and not rule.endswith("..") for rule in rules)

    one = capacity.Task(1, "BIBOB", "Ondermijning", "", "a")
    texts = [
        p.text for p in _word(capacity.Inputs((capacity.Person("a", "A", 36),), (one,))).paragraphs
    ]
    summary = texts[texts.index("Samenvatting") + 1]
    assert summary.endswith("1 taak heeft nog geen uren en telt niet mee.")


def test_the_load_chart_alt_text_marks_overload_and_names_who_the_chart_leaves_out() -> None:
    from bot.core.capacity_charts import MAX_PEOPLE

    people = tuple(
        capacity.Person(f"p{i:02}", f"Persoon {i:02}", 36) for i in range(MAX_PEOPLE + 2)
    )
    busy = capacity.Task(1, "Piketdienst", "Rampenbestrijding", "40 uur per week", "p00")
    word = _word(capacity.Inputs(people, (busy,)))
    load = word.inline_shapes[0]._inline.docPr.get("descr")
    assert load.startswith("Staafdiagram: Persoon 00 138,9 % (boven 100 %); Persoon 01 0 %")
    assert load.endswith("; en 2 anderen, minder belast (zie de tabel)")
