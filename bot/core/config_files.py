"""Load and validate the YAML files in `config/`, reporting every problem as `file:line: message`.

Pure: reads files, returns plain objects; no database, no Slack. ruamel.yaml keeps the line of every
node, pydantic checks the shapes, and the cross-file checks (unknown person, duplicate subject,
unreadable time text) are done here so `oov-bot check` can list all problems at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_args

from msgspec import Struct, field
from msgspec.structs import replace
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from bot.core.cadence import CadenceError, parse_cadence
from bot.core.slack_refs import SLACK_CHANNEL_HINT

PEOPLE_FILE = "people.yaml"
TASKS_FILE = "tasks.yaml"


class Choice(StrEnum):
    """A value a config file picks from a list: read as a weekday name is, whatever its case and
    spacing ("Overslaan", "Volgende  werkdag"), so the same hand-edit is not refused in one
    field and accepted in the next."""

    @classmethod
    def _missing_(cls, value: object) -> Choice | None:
        if not isinstance(value, str):
            return None
        wanted = " ".join(value.split()).casefold()
        return next((member for member in cls if member.value == wanted), None)


class Category(Choice):
    STRUCTUREEL = "structureel"
    INCIDENTEEL = "incidenteel"
    RAMPENBESTRIJDING = "rampenbestrijding"
    ALGEMEEN = "algemeen"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.STRUCTUREEL: "Structurele taken",
    Category.INCIDENTEEL: "Incidentele taken",
    Category.RAMPENBESTRIJDING: "Rampenbestrijding / crisismanagement",
    Category.ALGEMEEN: "Algemene zaken",
}

PersonKey = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
SlackUserId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^(|[UW][A-Z0-9]+)$")
]
SlackMemberId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[UW][A-Z0-9]+$")]
SlackUsergroupId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^S[A-Z0-9]+$")]


M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Every config file's models: unknown keys are typos and refused; values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class BlankIsAbsentModel(StrictModel):
    """A key with nothing after it ("usergroup:") means the same as leaving the line out."""

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            return {key: value for key, value in data.items() if value is not None}
        return data


def plain_data(value: object) -> Any:
    """A YAML document as plain JSON data (dates and times as ISO text), the form an import
    stores and the parsers read back at run time."""
    if isinstance(value, Mapping):
        return {str(key): plain_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(item) for item in value]
    if isinstance(value, (date, time)):  # datetime is a date too
        return value.isoformat()
    return value


class PersonConfig(StrictModel):
    key: PersonKey
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    slack_id: SlackUserId = ""
    hours_per_week: float = Field(default=36, ge=0, le=80)
    line: int = 0


class TaskConfig(StrictModel):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    category: Category
    description: Text = ""
    duties: Text = ""
    time: Text = ""
    legal_basis: Text = ""
    owner: PersonKey | None = None
    deputy: PersonKey | None = None
    aliases: tuple[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)], ...] = ()
    line: int = 0


class AccessSection(StrictModel):
    """people.yaml's optional `access:` block: who leads the team, who may read along, and
    whether every internal workspace member may read the task register."""

    team_leads: tuple[PersonKey, ...] = ()
    readers: tuple[SlackMemberId, ...] = ()
    reader_groups: tuple[SlackUsergroupId, ...] = ()
    register_open: bool = False


class _PeopleFile(StrictModel):
    people: list[dict[str, Any]]
    access: Any = None  # checked by _access_section, with its own lines


class _TasksFile(StrictModel):
    tasks: list[dict[str, Any]]


Loc = tuple[str | int, ...]  # dict keys / list indexes into a document, e.g. ("roles", 0, "name")


# A dataclass, not a Struct: `loc` takes no part in equality, which a Struct cannot express.
@dataclasses.dataclass(frozen=True)
class ConfigProblem:
    file: Path
    line: int | None
    message: str
    loc: Loc = dataclasses.field(default=(), compare=False)  # where in the document, when known

    def __str__(self) -> str:
        return f"{self.file}:{self.line or 1}: {self.message}"


class ConfigError(Exception):
    """One or more config files are invalid; `problems` lists each with file and line."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigDirError(Exception):
    """OOV_CONFIG_DIR names no directory; str() is one Dutch line."""


class TeamConfig(Struct, frozen=True):
    people: tuple[PersonConfig, ...]
    tasks: tuple[TaskConfig, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)  # feature files (meetings, piket)
    access: AccessSection = field(default_factory=AccessSection)
    # Keys named in people.yaml, also by a record that has a problem of its own: a reference to
    # such a person is not "unknown" (one typo, one error — not one per reference).
    named_people: frozenset[str] = frozenset()
    named_tasks: frozenset[str] = frozenset()  # subjects, likewise

    def person(self, key: str) -> PersonConfig | None:
        return next((p for p in self.people if p.key == key), None)

    def unknown_person(self, key: str) -> str | None:
        """The Dutch problem when `key` names nobody in people.yaml, else None."""
        if key in self.named_people or self.person(key) is not None:
            return None
        known = ", ".join(sorted(p.key for p in self.people)) or "(geen)"
        return f"onbekende persoon '{key}' (bekend in {PEOPLE_FILE}: {known})"


class LoadedYaml(Struct):
    path: Path
    data: Any

    def line(self, loc: Iterable[str | int]) -> int | None:
        """1-based line of the node at `loc` (dict keys / list indexes), or its nearest parent."""
        # Imported here, as in read_yaml: a web process never parses a config file (issue 10).
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        node, line = self.data, 1
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        return line

    def problem(self, loc: Iterable[str | int], message: str) -> ConfigProblem:
        loc = tuple(loc)
        return ConfigProblem(self.path, self.line(loc), message, loc)


def format_loc(loc: Iterable[str | int]) -> str:
    """("roles", 0, "name") -> "roles[0].name"."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def read_yaml(path: Path) -> LoadedYaml:
    """Parse one YAML file; a syntax error becomes a ConfigError naming file and line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([ConfigProblem(path, None, "bestand ontbreekt")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The line of the first wrong byte: a file saved as Latin-1 (Windows, Excel) is
        # valid UTF-8 up to its first 'é' or 'ö'.
        line = raw[: exc.start].count(b"\n") + 1
        message = f"geen UTF-8-tekst (byte 0x{raw[exc.start]:02x}); sla het bestand op als UTF-8"
        raise ConfigError([ConfigProblem(path, line, message)]) from None
    # Imported on the first parse: only check/import/shell read config files, not the web.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    try:
        data = YAML(typ="rt").load(text)
    except ReaderError as exc:  # an invisible control character, e.g. pasted from a document
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else None
        message = (
            f"YAML-fout: teken U+{exc.character:04X} is niet toegestaan (een onzichtbaar "
            "stuurteken); haal het weg"
            if isinstance(exc.character, int)
            else "YAML-fout: een teken in dit bestand is niet toegestaan; haal het weg"
        )
        raise ConfigError([ConfigProblem(path, line, message)]) from None
    except MarkedYAMLError as exc:
        message, at_start = _yaml_message(exc.problem or "", exc.context or "")
        mark = (exc.context_mark if at_start else None) or exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError([ConfigProblem(path, line, f"YAML-fout: {message}")]) from None
    except ValueError:  # ruamel builds dates while reading: "2026-02-30" fails without a mark
        line, token = _impossible_date(text)
        message = f"'{token}' is geen bestaande datum" if token else "onleesbare datum of tijd"
        raise ConfigError([ConfigProblem(path, line, f"{message} (JJJJ-MM-DD)")]) from None
    except YAMLError as exc:  # any other reading error: one line, never a traceback
        raise ConfigError([ConfigProblem(path, None, f"onleesbare YAML ({exc})")]) from None
    if hidden := _values_read_as_comments(path, text):
        raise ConfigError(hidden)
    return LoadedYaml(path, data)


# "channel: #boa-briefing": YAML reads everything from '#' as a comment, so the key is empty, and
# an optional one (piket.yaml's team_channel) was silently absent. A comment after an empty key
# starts with a space ("key:  # note"); a channel name does not.
_VALUE_AS_COMMENT = re.compile(r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][\w-]*):\s+(?P<value>#[^\s#]\S*)")


_BLOCK_SCALAR = re.compile(r"^(?P<indent>\s*).*:\s*[|>][-+0-9]*\s*(?:#.*)?$")


def _values_read_as_comments(path: Path, text: str) -> list[ConfigProblem]:
    problems = []
    block_indent: int | None = None  # inside a "key: |" text, whose lines are no keys
    for number, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and (not line.strip() or indent > block_indent):
            continue
        block_indent = None
        if block := _BLOCK_SCALAR.match(line):
            block_indent = len(block["indent"])
        elif match := _VALUE_AS_COMMENT.match(line):
            key, value = match["key"], match["value"]
            problems.append(
                ConfigProblem(
                    path,
                    number,
                    f"YAML-fout: {key}: {value} wordt gelezen als opmerking, niet als waarde; "
                    f'zet het tussen aanhalingstekens: "{value}"',
                )
            )
    return problems


_DATE_TOKEN = re.compile(r"(?<![\w-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])")


def _impossible_date(text: str) -> tuple[int | None, str | None]:
    """The line and text of the first date-like value that is no date, e.g. 2026-02-30."""
    for number, line in enumerate(text.splitlines(), 1):
        for match in _DATE_TOKEN.finditer(line.split("#", 1)[0]):
            try:
                date(*map(int, match.groups()))
            except ValueError:
                return number, match.group(0)
    return None, None


# ruamel.yaml's messages in Dutch: (pattern on "problem | context", text, report the line where
# the construct began rather than where the parser gave up).
_YAML_MESSAGES: tuple[tuple[re.Pattern[str], str, bool], ...] = (
    (re.compile(r"character '\\t'"), "tab gevonden; spring in met spaties, niet met tabs", False),
    (
        re.compile(r'duplicate key "(?P<key>[^"]*)"'),
        "'{key}' staat twee keer in hetzelfde blok; laat er één staan",
        False,
    ),
    (re.compile(r"end of stream.*quoted scalar"), "aanhalingsteken niet afgesloten", True),
    (
        re.compile(r"mapping values are not allowed"),
        "onverwachte ':'; zet tekst met een ':' erin tussen aanhalingstekens, of controleer het "
        "inspringen",
        False,
    ),
    (
        re.compile(r"expected ',' or '\]'"),
        "een lijst met '[' is niet afgesloten met ']'",
        True,
    ),
    (
        re.compile(r"expected ',' or '\}'"),
        "een blok met '{' is niet afgesloten met '}'",
        True,
    ),
    (
        re.compile(r"expected <block end>|could not find expected ':'"),
        "het inspringen klopt niet, of er ontbreekt een ':' of '-'",
        False,
    ),
    # "chair: @aov-1" (a Slack mention), "`code`", "%": characters YAML reserves.
    (
        re.compile(r"found character '(?P<key>.)' that cannot start any token"),
        "een waarde kan niet met '{key}' beginnen; zet de tekst tussen aanhalingstekens",
        False,
    ),
    (
        re.compile(r"expected the node content, but found '(?P<key>[^']*)'"),
        "onverwachte '{key}'; zet de tekst tussen aanhalingstekens",
        False,
    ),
    (
        re.compile(r"found undefined alias|expected alphabetic or numeric character"),
        "een waarde kan niet met '*' of '&' beginnen; zet de tekst tussen aanhalingstekens",
        False,
    ),
    (
        re.compile(r"found another document|expected a single document"),
        "een tweede document ('---'); een configuratiebestand is één document",
        False,
    ),
)


def _yaml_message(problem: str, context: str) -> tuple[str, bool]:
    for pattern, message, at_start in _YAML_MESSAGES:
        if match := pattern.search(f"{problem} | {context}"):
            return message.replace("{key}", match.groupdict().get("key") or ""), at_start
    # Not translated yet: say so in Dutch, with ruamel's own words for the detail.
    return (
        f"onleesbare YAML ({problem or context})" if problem or context else "onleesbare YAML",
        False,
    )


_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": "verplicht veld ontbreekt",
    "extra_forbidden": "onbekend veld",
    "string_type": "moet tekst zijn",
    "string_too_short": "mag niet leeg zijn",
    "string_too_long": "is te lang",
    "string_pattern_mismatch": "heeft een ongeldige vorm",
    "float_parsing": "moet een getal zijn",
    "float_type": "moet een getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "int_type": "moet een geheel getal zijn",
    "greater_than_equal": "is te klein",
    "greater_than": "is te klein",
    "less_than_equal": "is te groot",
    "less_than": "is te groot",
    "enum": "onbekende waarde",
    "list_type": "moet een lijst zijn",
    "tuple_type": "moet een lijst zijn",
    "dict_type": "moet een mapping (sleutel: waarde) zijn",
    "model_type": "moet een mapping (sleutel: waarde) zijn",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "bool_parsing": "moet ja/nee (true/false) zijn",
}

_FIELD_HINTS: dict[tuple[str, str], str] = {
    ("key", "string_pattern_mismatch"): "mag alleen kleine letters, cijfers en '-' bevatten",
    ("owner", "string_pattern_mismatch"): "moet een persoonssleutel uit people.yaml zijn",
    ("deputy", "string_pattern_mismatch"): "moet een persoonssleutel uit people.yaml zijn",
    (
        "slack_id",
        "string_pattern_mismatch",
    ): "moet een Slack member-ID zijn (bijv. U012AB3CD) of leeg",
    ("channel", "string_pattern_mismatch"): SLACK_CHANNEL_HINT,
    ("readers", "string_pattern_mismatch"): "moet een Slack member-ID zijn (bijv. U012AB3CD)",
    (
        "reader_groups",
        "string_pattern_mismatch",
    ): "moet het ID van een Slack-gebruikersgroep zijn (bijv. S012AB3CD)",
    ("team_leads", "string_pattern_mismatch"): "moet een persoonssleutel uit people.yaml zijn",
}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, also inside a list, tuple or `X | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_model_in, get_args(annotation))), None)


def _fields_at(model: type[BaseModel] | None, loc: Sequence[str | int]) -> list[str]:
    """The fields a mapping at `loc` inside `model` may have ([] when unknown)."""
    for part in loc:
        if model is None:
            return []
        if isinstance(part, str):
            info = model.model_fields.get(part)
            model = _model_in(info.annotation) if info else None
    return [name for name in model.model_fields if name != "line"] if model else []


def _unknown_field(name: str, missing: str | None, allowed: Sequence[str]) -> str:
    if missing is not None:  # a required field is missing next to it: a misspelling of that one
        return f"onbekend veld '{name}'; bedoelt u '{missing}'? Dat veld is verplicht"
    if close := difflib.get_close_matches(name, allowed, n=1, cutoff=0.6):
        return f"onbekend veld '{name}'; bedoelt u '{close[0]}'?"
    return f"onbekend veld '{name}'" + (f"; toegestaan: {', '.join(allowed)}" if allowed else "")


def _misspelt(errors: Sequence[Any]) -> dict[tuple[Any, ...], str]:
    """Unknown field loc -> the missing required field of the same mapping it stands for.

    "nmae: X" is one typo: reported as an unknown field that means 'name', not also as 'name'
    missing."""
    missing: dict[tuple[Any, ...], list[str]] = {}
    unknown: dict[tuple[Any, ...], list[str]] = {}
    for err in errors:
        if err["type"] in ("missing", "extra_forbidden") and err["loc"]:
            table = missing if err["type"] == "missing" else unknown
            table.setdefault(tuple(err["loc"][:-1]), []).append(str(err["loc"][-1]))
    pairs: dict[tuple[Any, ...], str] = {}
    for parent, names in unknown.items():
        free = missing.get(parent, [])
        for name in names:
            guess = difflib.get_close_matches(name, free, n=1, cutoff=0.6)
            if not guess and len(names) == 1 and len(free) == 1:
                guess = free  # one unknown, one missing: the same field, however misspelt
            if guess:
                pairs[(*parent, name)] = guess[0]
                free.remove(guess[0])
    return pairs


def pydantic_problems(
    doc: LoadedYaml,
    base: Sequence[str | int],
    error: ValidationError,
    *,
    model: type[BaseModel] | None = None,
    full_path: bool = False,
) -> list[ConfigProblem]:
    """Translate pydantic's errors into Dutch `file:line` problems.

    `model` (the model that raised `error`) lets an unknown field name the fields allowed there.
    Each message starts with the field it is about: its name, or with `full_path` its place from
    the top of the document ("handover.weekday"), for files with nested blocks."""
    errors = error.errors(include_url=False)
    misspelt = _misspelt(errors)
    stands_for = {(*loc[:-1], name) for loc, name in misspelt.items()}
    problems = []
    for err in errors:
        own_loc = tuple(err["loc"])
        if err["type"] == "missing" and own_loc in stands_for:
            continue  # said by the misspelt field next to it
        loc = [*base, *own_loc]
        name = str(own_loc[-1]) if own_loc else ""
        # An item of a list ("readers: [x]") takes its list's hint.
        field_name = next((str(p) for p in reversed(own_loc) if isinstance(p, str)), "")
        text = _FIELD_HINTS.get((field_name, err["type"])) or _PYDANTIC_MESSAGES.get(
            err["type"], err["msg"]
        )
        given = err.get("input")
        if (
            err["type"] in ("float_parsing", "int_parsing")
            and isinstance(given, str)
            and re.fullmatch(r"\s*-?\d+,\d+\s*", given)
        ):
            # "32,5" as a Dutch number is written: YAML reads it as text.
            text = f"{text}; schrijf {given.strip().replace(',', '.')} (met een punt)"
        if err["type"] == "enum":
            allowed = err.get("ctx", {}).get("expected", "").replace("' or '", "', '")
            text = f"{text} {err.get('input')!r}; kies uit {allowed}"
        if err["type"] == "extra_forbidden":
            text = _unknown_field(name, misspelt.get(own_loc), _fields_at(model, own_loc[:-1]))
        if full_path:
            # An unknown field is about the block it stands in; it names itself in the text.
            label = format_loc(loc[:-1] if err["type"] == "extra_forbidden" else loc)
        else:
            # A list item ("weekday: [dinsdg]") is named by its list's field.
            named = [part for part in own_loc if isinstance(part, str)]
            label = named[-1] if named else ""
        problems.append(doc.problem(loc, f"{label}: {text}" if label else text))
    return problems


def validated(
    doc: LoadedYaml,
    loc: Sequence[str | int],
    model: type[M],
    data: Any,
    problems: list[ConfigProblem],
    *,
    full_path: bool = False,
) -> M | None:
    """`data` (the node at `loc`) as a `model`, or None after adding its problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(doc, loc, exc, model=model, full_path=full_path))
        return None


def records(
    doc: LoadedYaml,
    top: str,
    model: type[M],
    envelope: type[BaseModel],
    problems: list[ConfigProblem],
) -> list[tuple[int, M]]:
    """The valid records of a top-level list, each with its index in the file."""
    data = doc.data
    if not isinstance(data, Mapping):
        problems.append(
            doc.problem([], f"het bestand moet beginnen met '{top}:' gevolgd door een lijst")
        )
        return []
    try:
        envelope.model_validate(dict(data))
    except ValidationError as exc:
        problems.extend(pydantic_problems(doc, [], exc, model=envelope))
        return []
    records: list[tuple[int, M]] = []
    for index, item in enumerate(data[top] or []):
        if not isinstance(item, Mapping):
            problems.append(doc.problem([top, index], "moet een mapping (sleutel: waarde) zijn"))
            continue
        line = doc.line([top, index]) or 0
        try:
            records.append((index, model.model_validate({**dict(item), "line": line})))
        except ValidationError as exc:
            problems.extend(pydantic_problems(doc, [top, index], exc, model=model))
    return records


def _top_level_ok(doc: LoadedYaml, envelope: type[BaseModel]) -> bool:
    """Whether a file's top level has the shape of `envelope` (what `records` reports if not)."""
    if not isinstance(doc.data, Mapping):
        return False
    try:
        envelope.model_validate(dict(doc.data))
    except ValidationError:
        return False
    return True


def _check_people(
    doc: LoadedYaml, people: list[PersonConfig], problems: list[ConfigProblem]
) -> None:
    seen: dict[str, int] = {}
    slack_ids: dict[str, int] = {}
    for person in people:
        if person.key in seen:
            problems.append(
                ConfigProblem(
                    doc.path,
                    person.line,
                    f"dubbele persoonssleutel '{person.key}' (ook op regel {seen[person.key]})",
                )
            )
        seen.setdefault(person.key, person.line)
        if person.slack_id:
            if person.slack_id in slack_ids:
                problems.append(
                    ConfigProblem(
                        doc.path,
                        person.line,
                        f"Slack-ID {person.slack_id} staat ook bij "
                        f"de persoon op regel {slack_ids[person.slack_id]}",
                    )
                )
            slack_ids.setdefault(person.slack_id, person.line)


def _named_keys(
    doc: LoadedYaml, top: str, model: type[BaseModel], field: str = "key"
) -> frozenset[str]:
    """The `field` of every record of a top-level list that has one, valid or not. A record
    without it but with one unknown field ("kye: aov-1") is named by that field's value: it is
    reported as that misspelling, and its references must not each add an error."""
    items = doc.data.get(top) if isinstance(doc.data, Mapping) else None
    if not isinstance(items, list):
        return frozenset()
    names = set()
    for item in items:
        if not isinstance(item, Mapping):
            continue
        unknown = [key for key in item if key not in model.model_fields]
        value = item.get(field, item[unknown[0]] if len(unknown) == 1 else None)
        if isinstance(value, str):
            names.add(value.strip())
    return frozenset(names)


def _access_section(
    doc: LoadedYaml, team: TeamConfig, problems: list[ConfigProblem]
) -> AccessSection:
    data = doc.data.get("access") if isinstance(doc.data, Mapping) else None
    if data is None:
        return AccessSection()
    if not isinstance(data, Mapping):
        problems.append(doc.problem(["access"], "access: moet een mapping (sleutel: waarde) zijn"))
        return AccessSection()
    section = validated(doc, ["access"], AccessSection, dict(data), problems, full_path=True)
    leads = data.get("team_leads")
    for index, key in enumerate(leads if isinstance(leads, list) else []):
        if isinstance(key, str) and (unknown := team.unknown_person(key.strip())):
            problems.append(doc.problem(["access", "team_leads", index], f"team_leads: {unknown}"))
    return section or AccessSection()


def _normalised_subject(subject: str) -> str:
    return re.sub(r"\s+", " ", subject).strip().casefold()


def _check_tasks(
    doc: LoadedYaml,
    tasks: list[tuple[int, TaskConfig]],
    team: TeamConfig,
    problems: list[ConfigProblem],
) -> None:
    subjects: dict[str, int] = {}
    for index, task in tasks:
        where = ["tasks", index]
        norm = _normalised_subject(task.subject)
        if norm in subjects:
            problems.append(
                doc.problem(
                    [*where, "subject"],
                    f"dubbel onderwerp '{task.subject}' (ook op regel {subjects[norm]})",
                )
            )
        subjects.setdefault(norm, doc.line([*where, "subject"]) or task.line)
        for role in ("owner", "deputy"):
            key = getattr(task, role)
            if key is not None and (unknown := team.unknown_person(key)):
                problems.append(doc.problem([*where, role], f"{role}: {unknown}"))
        if task.owner and task.owner == task.deputy:
            problems.append(
                doc.problem([*where, "deputy"], "deputy: is dezelfde persoon als owner")
            )
        try:
            parse_cadence(task.time)
        except CadenceError as exc:
            problems.append(doc.problem([*where, "time"], f"time: {exc}"))


def misnamed_files(config_dir: Path, names: Iterable[str]) -> list[str]:
    """A line for each YAML file in `config_dir` that is not read but whose name is close to one
    that is missing ("meeting.yaml", "people.yml"): a feature file under a wrong name was
    silently not read, which switched its feature off. A copy next to the real file
    ("people-oud.yaml") is left alone."""
    if not config_dir.is_dir():
        return []
    known = sorted(names)
    missing = [name for name in known if not (config_dir / name).exists()]
    lines = []
    for path in sorted(config_dir.iterdir()):
        if path.suffix not in (".yaml", ".yml") or path.name in known:
            continue
        if close := difflib.get_close_matches(path.name, missing, n=1, cutoff=0.75):
            lines.append(f"{path}: niet gelezen; bedoelt u {close[0]}?")
    return lines


# A feature file's validator: (document, team, problems) -> the parsed object. It reports each
# problem through `document.problem(path, …)` so that it carries a line number.
FeatureValidator = Callable[[LoadedYaml, TeamConfig, list[ConfigProblem]], Any]


def load_config(config_dir: Path, feature_files: Mapping[str, FeatureValidator]) -> TeamConfig:
    """Read and validate people.yaml, tasks.yaml and each feature's file (name -> validator);
    raise ConfigError listing all problems."""
    if not config_dir.is_dir():
        # Not one "bestand ontbreekt" per file (or an OS error on people.yaml) for one setting.
        what = "is geen map" if config_dir.exists() else "bestaat niet"
        raise ConfigDirError(
            f"OOV_CONFIG_DIR: {config_dir} {what}; zet het op de map met people.yaml en "
            "tasks.yaml (standaard: config)."
        )
    problems: list[ConfigProblem] = []
    docs: dict[str, LoadedYaml] = {}
    for name in (PEOPLE_FILE, TASKS_FILE, *feature_files):
        path = config_dir / name
        if name in feature_files and not path.exists():
            continue  # feature files are optional: the feature is then simply off
        try:
            docs[name] = read_yaml(path)
        except ConfigError as exc:
            problems.extend(exc.problems)

    # A file that is there but whose top level is unusable (empty, a list, "peopel:") names
    # nobody: the other files are then not checked against it, as when it is missing, or its
    # one problem would be buried under one "onbekende persoon" per reference (173 lines).
    people_ok = PEOPLE_FILE in docs and _top_level_ok(docs[PEOPLE_FILE], _PeopleFile)
    tasks_ok = TASKS_FILE in docs and _top_level_ok(docs[TASKS_FILE], _TasksFile)
    people: list[PersonConfig] = []
    named: frozenset[str] = frozenset()
    if PEOPLE_FILE in docs:
        people = [
            p for _, p in records(docs[PEOPLE_FILE], "people", PersonConfig, _PeopleFile, problems)
        ]
        _check_people(docs[PEOPLE_FILE], people, problems)
        named = _named_keys(docs[PEOPLE_FILE], "people", PersonConfig)
    team = TeamConfig(people=tuple(people), tasks=(), named_people=named)
    if PEOPLE_FILE in docs:
        team = replace(team, access=_access_section(docs[PEOPLE_FILE], team, problems))
    if TASKS_FILE in docs:
        indexed_tasks = records(docs[TASKS_FILE], "tasks", TaskConfig, _TasksFile, problems)
        team = replace(
            team,
            tasks=tuple(t for _, t in indexed_tasks),
            named_tasks=_named_keys(docs[TASKS_FILE], "tasks", TaskConfig, "subject"),
        )
        if people_ok:
            _check_tasks(docs[TASKS_FILE], indexed_tasks, team, problems)

    extra: dict[str, Any] = {}
    # Feature files name people and tasks: without those files every name would be reported as
    # unknown, burying the one real problem.
    if people_ok and tasks_ok:
        for name, validate in feature_files.items():
            if name in docs:
                extra[name] = validate(docs[name], team, problems)
    if problems:
        raise ConfigError(sorted(problems, key=lambda p: (str(p.file), p.line or 0)))
    return replace(team, extra=extra)
