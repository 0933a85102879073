"""The shared report model: what goes in comes out in Word (read back with python-docx) and in
Markdown, with the same headings, tables and figures."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest

from bot.core.documents import (
    Bullets,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
    render_docx,
    render_markdown,
    write_document,
)


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


DOC = Document(
    title="Voortgangsrapportage uitvoeringsprogramma",
    subtitle="Periode 2024–2025, stand dinsdag 1 december 2026",
    blocks=(
        Heading("Prioriteit 1: Ondermijning"),
        Paragraph("Wat is gedaan: *niet* als opmaak bedoeld | pipe"),
        Bullets(("Bibob-beleid vastgesteld", "Integraal afwegingskader")),
        Heading("Budget", level=2),
        Table(
            header=("Onderwerp", "Kosten"),
            rows=(("Weerbaarheid", "€ 5.000"), ("Totaal", "€ 5.000")),
            caption="Tabel 1. Budgetoverzicht",
        ),
        Figure(_png(40, 20), "belasting.png", "Figuur 1. Belasting", "Staafdiagram per persoon"),
    ),
)


def test_word_file_has_the_headings_tables_text_and_picture() -> None:
    word = docx.Document(io.BytesIO(render_docx(DOC)))
    headings = [
        (p.style.name, p.text)
        for p in word.paragraphs
        if p.style.name.startswith(("Head", "Title"))
    ]
    assert headings == [
        ("Title", "Voortgangsrapportage uitvoeringsprogramma"),
        ("Heading 1", "Prioriteit 1: Ondermijning"),
        ("Heading 2", "Budget"),
    ]
    texts = [p.text for p in word.paragraphs]
    assert "Wat is gedaan: *niet* als opmaak bedoeld | pipe" in texts
    assert "Bibob-beleid vastgesteld" in texts
    assert "Figuur 1. Belasting" in texts
    [table] = word.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Onderwerp", "Kosten"],
        ["Weerbaarheid", "€ 5.000"],
        ["Totaal", "€ 5.000"],
    ]
    [picture] = word.inline_shapes
    assert picture._inline.docPr.get("descr") == "Staafdiagram per persoon"
    assert word.core_properties.title == "Voortgangsrapportage uitvoeringsprogramma"


def test_word_file_is_a_dutch_a4_report_with_page_numbers_and_repeating_table_headers() -> None:
    from docx.oxml.ns import qn
    from docx.shared import Cm

    word = docx.Document(io.BytesIO(render_docx(DOC)))
    section = word.sections[0]
    # A4 with room for a 16 cm figure between the margins (Letter paper left 15,2 cm).
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert section.page_width - section.left_margin - section.right_margin >= Cm(16)
    # Word proofs the text as Dutch, not English.
    langs = {e.get(qn("w:val")) for e in word.styles.element.iter(qn("w:lang"))}
    assert langs == {"nl-NL"}
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("Pagina ")
    assert "PAGE" in "".join(e.text or "" for e in footer._p.iter(qn("w:instrText")))
    [table] = word.tables
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_word_file_properties_name_the_report_not_the_library() -> None:
    created = datetime(2026, 12, 1, 10, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    dated = Document(DOC.title, DOC.subtitle, DOC.blocks, created=created)
    properties = docx.Document(io.BytesIO(render_docx(dated))).core_properties
    assert properties.author == ""
    assert properties.comments == ""
    assert properties.subject == DOC.subtitle
    assert properties.created == properties.modified == datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_markdown_escapes_text_and_keeps_the_structure() -> None:
    md = render_markdown(DOC)
    assert md.startswith("# Voortgangsrapportage uitvoeringsprogramma\n")
    assert "## Prioriteit 1: Ondermijning" in md
    assert "### Budget" in md
    assert r"Wat is gedaan: \*niet\* als opmaak bedoeld \| pipe" in md
    assert "| Onderwerp | Kosten |\n|---|---|\n| Weerbaarheid | € 5.000 |" in md
    assert "![Staafdiagram per persoon](belasting.png)" in md


def test_write_document_writes_both_formats_and_the_figures(tmp_path: Path) -> None:
    written = write_document(DOC, tmp_path / "out", "rapport")
    assert [p.name for p in written] == ["rapport.docx", "rapport.md", "belasting.png"]
    assert (tmp_path / "out" / "belasting.png").read_bytes() == DOC.figures[0].png
    with pytest.raises(ValueError, match="pdf"):
        write_document(DOC, tmp_path, "rapport", formats=("pdf",))


def test_a_table_row_of_the_wrong_width_or_a_non_png_figure_is_refused() -> None:
    with pytest.raises(ValueError):
        Table(header=("a", "b"), rows=(("1",),))
    with pytest.raises(ValueError):
        Figure(b"GIF89a", "x.png", "c", "a")
    with pytest.raises(ValueError):
        Figure(_png(1, 1), "../x.png", "c", "a")
