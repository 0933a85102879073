"""One document model for the reports the team hands on (the programme report for the college, the
capacity memo for management): built once as data, written as Word and as Markdown, so both formats
say the same and every report has the same house style.

Pure: no Slack, no database. python-docx is imported only when a Word file is written, so the
processes that never write one do not carry it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from msgspec import Struct, field

__all__ = [
    "Block",
    "Bullets",
    "Document",
    "Figure",
    "Heading",
    "Paragraph",
    "Table",
    "render_docx",
    "render_markdown",
    "write_document",
]


class Heading(Struct, frozen=True):
    text: str
    level: int = 1  # 1 = chapter; the document title is above level 1

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 4:
            raise ValueError(f"heading level {self.level} is not between 1 and 4")


class Paragraph(Struct, frozen=True):
    text: str


class Bullets(Struct, frozen=True):
    items: tuple[str, ...]


class Table(Struct, frozen=True):
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"row {row!r} has {len(row)} cells, header {len(self.header)}")


class Figure(Struct, frozen=True):
    png: bytes
    filename: str  # the PNG's name next to the Markdown file
    caption: str
    alt: str  # what the picture shows, for screen readers and for Markdown without images
    width_cm: float = 16.0

    def __post_init__(self) -> None:
        if not self.png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise ValueError(f"figure {self.filename!r} is not a PNG image")
        if Path(self.filename).name != self.filename or not self.filename.endswith(".png"):
            raise ValueError(f"figure file name {self.filename!r} must be a plain *.png name")


Block = Heading | Paragraph | Bullets | Table | Figure


class Document(Struct, frozen=True):
    title: str
    subtitle: str = ""
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    created: datetime | None = None  # the report's moment, shown in Word's file properties

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Figure))


# --- Markdown ---------------------------------------------------------------------------------


def _md_inline(text: str) -> str:
    """Plain text as Markdown text: characters that would turn into markup are escaped."""
    escaped = text.replace("\\", "\\\\")
    for char in "*_`[]<>#|":
        escaped = escaped.replace(char, f"\\{char}")
    return " ".join(escaped.split("\n"))


def _md_table(table: Table) -> list[str]:
    lines = []
    if table.caption:
        lines += [f"*{_md_inline(table.caption)}*", ""]
    lines.append("| " + " | ".join(_md_inline(cell) for cell in table.header) + " |")
    lines.append("|" + "|".join("---" for _ in table.header) + "|")
    lines += ["| " + " | ".join(_md_inline(cell) for cell in row) + " |" for row in table.rows]
    return lines


def render_markdown(doc: Document) -> str:
    lines = [f"# {_md_inline(doc.title)}", ""]
    if doc.subtitle:
        lines += [_md_inline(doc.subtitle), ""]
    for block in doc.blocks:
        match block:
            case Heading(text=text, level=level):
                lines.append(f"{'#' * (level + 1)} {_md_inline(text)}")
            case Paragraph(text=text):
                lines.append(_md_inline(text))
            case Bullets(items=items):
                lines += [f"- {_md_inline(item)}" for item in items]
            case Table():
                lines += _md_table(block)
            case Figure(filename=filename, caption=caption, alt=alt):
                lines += [f"![{_md_inline(alt)}]({filename})", "", f"*{_md_inline(caption)}*"]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- Word ---------------------------------------------------------------------------------------


def render_docx(doc: Document) -> bytes:
    """The document as a Word file. Paragraphs and table cells are written into the body's XML
    directly: python-docx's `add_paragraph`/`add_heading` look the style up by name and search
    the body for its end on every call, which makes a report of some thousands of lines take
    tens of seconds instead of a fraction of one."""
    # Heavy, and only the report writers need it: imported here, not at module level.
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    word = docx.Document()
    _set_properties(word, doc)
    _set_dutch_a4(word)
    style_ids: dict[str, str] = {}

    def style_id(name: str) -> str:
        if name not in style_ids:
            style_ids[name] = word.styles[name].style_id
        return style_ids[name]

    def text_run(text: str, *, bold: bool = False) -> Any:
        run = OxmlElement("w:r")
        if bold:
            properties = OxmlElement("w:rPr")
            properties.append(OxmlElement("w:b"))
            run.append(properties)
        for number, line in enumerate(text.split("\n")):
            if number:
                run.append(OxmlElement("w:br"))
            piece = OxmlElement("w:t")
            piece.set(qn("xml:space"), "preserve")
            piece.text = line
            run.append(piece)
        return run

    def paragraph(text: str, style: str | None = None, *, bold: bool = False) -> Any:
        element = OxmlElement("w:p")
        if style is not None:
            properties = OxmlElement("w:pPr")
            style_ref = OxmlElement("w:pStyle")
            style_ref.set(qn("w:val"), style_id(style))
            properties.append(style_ref)
            element.append(properties)
        if text:
            element.append(text_run(text, bold=bold))
        return element

    end = word.element.body.sectPr  # everything goes before the section properties

    def add(text: str, style: str | None = None) -> None:
        end.addprevious(paragraph(text, style))

    add(doc.title, "Title")
    if doc.subtitle:
        add(doc.subtitle, "Subtitle")
    for block in doc.blocks:
        match block:
            case Heading(text=text, level=level):
                add(text, f"Heading {level}")
            case Paragraph(text=text):
                add(text)
            case Bullets(items=items):
                for item in items:
                    add(item, "List Bullet")
            case Table(header=header, rows=rows, caption=caption):
                if caption:
                    add(caption, "Caption")
                table = word.add_table(rows=1 + len(rows), cols=len(header))
                table.style = word.styles["Light Grid Accent 1"]
                # The header row repeats at the top of every page the table runs onto.
                header_row = table.rows[0]._tr.get_or_add_trPr()
                header_row.append(OxmlElement("w:tblHeader"))
                cells = iter(table._tbl.iter_tcs())
                for number, values in enumerate((header, *rows)):
                    for text in values:
                        cell = next(cells)
                        cell.remove(cell.p_lst[0])
                        cell.append(paragraph(text, bold=number == 0))
            case Figure(png=png, caption=caption, alt=alt, width_cm=width_cm):
                word.add_picture(io.BytesIO(png), width=Cm(width_cm))
                # Word's own "alternative text" lives in the drawing's descr attribute.
                drawing = word.inline_shapes[-1]._inline.docPr
                drawing.set("descr", alt)
                add(caption, "Caption")
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _set_properties(word: Any, doc: Document) -> None:
    """Word's file properties: the report's title and moment, not python-docx's template values
    (author "python-docx", created in 2013, comment "generated by python-docx")."""
    properties = word.core_properties
    properties.title = doc.title
    properties.subject = doc.subtitle
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.language = "nl-NL"
    if doc.created is not None:
        moment = doc.created.astimezone(UTC)  # Word stores UTC
        properties.created = moment
        properties.modified = moment


def _set_dutch_a4(word: Any) -> None:
    """A Dutch document on A4 (the template is American: Letter paper, English proofing), with
    the page number centred in the footer."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm
    from docx.text.paragraph import Paragraph as WordParagraph

    defaults = word.styles.element.find(qn("w:docDefaults"))
    for lang in defaults.iter(qn("w:lang")):
        lang.set(qn("w:val"), "nl-NL")
        lang.set(qn("w:eastAsia"), "nl-NL")
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    footer = WordParagraph(section.footer.paragraphs[0]._p, section.footer)
    footer.alignment = 1  # centred
    footer.add_run("Pagina ")

    def field_char(kind: str) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        footer.add_run()._r.append(char)

    field_char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    footer.add_run()._r.append(instruction)
    field_char("separate")
    footer.add_run("1")  # shown until Word updates the field
    field_char("end")


RENDERERS = {"docx": render_docx, "md": render_markdown}


def write_document(
    doc: Document, directory: Path, stem: str, formats: Iterable[str] = ("docx", "md")
) -> list[Path]:
    """Writes `stem.docx` / `stem.md` (with the figures' PNGs beside the Markdown) into `directory`,
    and returns the paths written, the documents first."""
    wanted: Sequence[str] = tuple(formats)
    unknown = [fmt for fmt in wanted if fmt not in RENDERERS]
    if unknown:
        raise ValueError(f"unknown report format(s): {', '.join(unknown)}")
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for fmt in wanted:
        path = directory / f"{stem}.{fmt}"
        content = RENDERERS[fmt](doc)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        written.append(path)
    if "md" in wanted:
        for figure in doc.figures:
            path = directory / figure.filename
            path.write_bytes(figure.png)
            written.append(path)
    return written
