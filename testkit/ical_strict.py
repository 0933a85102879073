"""A strict reading of an iCalendar body against RFC 5545, sharing no code with icalendar.

The parsers the tests also use (vobject, allenporter's ical) are lenient where calendar clients
and validators are not: they accept a calendar without any component, for one. `problems`
lists every rule a body breaks, in words a failing test can show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = re.compile(r"[A-Z0-9-]+")
_CONTENT_LINE = re.compile(r"([^;:]+)((?:;[^:]*)?):(.*)\Z", re.DOTALL)
_TEXT_PROPERTIES = {"SUMMARY", "DESCRIPTION", "NAME", "X-WR-CALNAME", "LOCATION", "COMMENT"}
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # RFC 5545 3.3.11: no CONTROL but HTAB
_UNESCAPED_SEPARATOR = re.compile(r"(?<!\\)(?:\\\\)*[,;]")
_BAD_ESCAPE = re.compile(r"\\(?![\\;,nN])")
_UTC = re.compile(r"\d{8}T\d{6}Z")
_LOCAL = re.compile(r"\d{8}T\d{6}")


@dataclass
class _Component:
    name: str
    properties: list[tuple[str, str, str]] = field(default_factory=list)  # name, params, value
    children: list[_Component] = field(default_factory=list)


def problems(body: bytes) -> list[str]:
    """What in `body` breaks RFC 5545 (empty: nothing found)."""
    found = _physical_problems(body)
    root, structure = _components(body)
    found += structure
    if root is None or root.name != "VCALENDAR":
        return [*found, "no VCALENDAR"]
    names = [name for name, _, _ in root.properties]
    for required in ("PRODID", "VERSION"):
        if names.count(required) != 1:
            found.append(f"VCALENDAR needs exactly one {required}")
    if not root.children:
        found.append("VCALENDAR without a component (RFC 5545 3.6: at least one)")
    tzids = {
        value
        for child in root.children
        if child.name == "VTIMEZONE"
        for name, _, value in child.properties
        if name == "TZID"
    }
    uids: list[str] = []
    for event in (child for child in root.children if child.name == "VEVENT"):
        found += _event_problems(event, tzids)
        uids += [value for name, _, value in event.properties if name == "UID"]
    if len(uids) != len(set(uids)):
        found.append("a UID occurs twice")
    return found


def _physical_problems(body: bytes) -> list[str]:
    found = []
    if not body.endswith(b"\r\n"):
        found.append("the body does not end with CRLF")
    bare = body.replace(b"\r\n", b"")
    if b"\n" in bare or b"\r" in bare:
        found.append("a line ends without CRLF")
    for number, line in enumerate(body.split(b"\r\n")[:-1], 1):
        if len(line) > 75:
            found.append(f"line {number} is {len(line)} octets long (at most 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            found.append(f"line {number} splits a UTF-8 character")
    return found


def _components(body: bytes) -> tuple[_Component | None, list[str]]:
    found: list[str] = []
    text = body.decode("utf-8", "replace").replace("\r\n ", "").replace("\r\n\t", "")
    stack: list[_Component] = []
    root: _Component | None = None
    for line in text.split("\r\n")[:-1]:
        match = _CONTENT_LINE.match(line)
        if match is None:
            found.append(f"not a content line: {line!r}")
            continue
        name, params, value = match.groups()
        if not _NAME.fullmatch(name):
            found.append(f"not a property name: {name!r}")
        if _CONTROL.search(value):
            found.append(f"a control character in {name}")
        if name == "BEGIN":
            component = _Component(value)
            if stack:
                stack[-1].children.append(component)
            elif root is None:
                root = component
            else:
                found.append(f"a second top-level component {value}")
            stack.append(component)
        elif name == "END":
            if not stack or stack[-1].name != value:
                found.append(f"END:{value} closes nothing open")
            else:
                stack.pop()
        elif not stack:
            found.append(f"{name} outside any component")
        else:
            stack[-1].properties.append((name, params, value))
            if name in _TEXT_PROPERTIES:
                if _UNESCAPED_SEPARATOR.search(value):
                    found.append(f"an unescaped comma or semicolon in {name}: {value!r}")
                if _BAD_ESCAPE.search(value.replace("\\\\", "")):
                    found.append(f"an unknown escape in {name}: {value!r}")
    if stack:
        found.append("not closed: " + ", ".join(c.name for c in stack))
    return root, found


def _event_problems(event: _Component, tzids: set[str]) -> list[str]:
    found = []
    by_name: dict[str, list[tuple[str, str]]] = {}
    for name, params, value in event.properties:
        by_name.setdefault(name, []).append((params, value))
    for required in ("UID", "DTSTAMP", "DTSTART"):
        if len(by_name.get(required, [])) != 1:
            found.append(f"a VEVENT needs exactly one {required}")
    for _, value in by_name.get("DTSTAMP", []):
        if not _UTC.fullmatch(value):
            found.append(f"DTSTAMP not in UTC: {value}")
    if "DTEND" in by_name and "DURATION" in by_name:
        found.append("a VEVENT with both DTEND and DURATION")
    for name in ("DTSTART", "DTEND"):
        for params, value in by_name.get(name, []):
            tzid = re.search(r";TZID=([^;:]+)", params)
            if tzid is None:
                if not _UTC.fullmatch(value):
                    found.append(f"{name} is floating: {value}")
            elif tzid.group(1) not in tzids:
                found.append(f"{name} refers to TZID {tzid.group(1)} without its VTIMEZONE")
            elif not _LOCAL.fullmatch(value):
                found.append(f"{name} with a TZID is not a local time: {value}")
    return found
