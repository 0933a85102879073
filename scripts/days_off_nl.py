"""Write bot/language/days_off_nl.py: the Dutch days off per year, as the `holidays` package gives
them (bot.language.workdays.days_off_from_package), so processes need not import the package.

    .venv/bin/python scripts/days_off_nl.py

Run it after upgrading `holidays` when tests/language says the table differs from the package.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from importlib.metadata import version

from bot.language.days_off_nl import FIRST_YEAR, LAST_YEAR
from bot.language.workdays import days_off_from_package

TARGET = Path(__file__).resolve().parent.parent / "bot" / "language" / "days_off_nl.py"


def render(first: int, last: int) -> str:
    lines = [
        '"""The Dutch days off (Algemene termijnenwet) per year: (month, day, name). Written by',
        f"scripts/days_off_nl.py from holidays {version('holidays')}; do not edit by hand",
        '(bot/language/workdays.py says why it exists)."""',
        "",
        f"FIRST_YEAR = {first}",
        f"LAST_YEAR = {last}",
        "",
        "DAYS_OFF: dict[int, tuple[tuple[int, int, str], ...]] = {",
    ]
    for year in range(first, last + 1):
        lines.append(f"    {year}: (")
        for day, name in days_off_from_package(year).items():
            lines.append(
                f"        ({day.month}, {day.day}, {json.dumps(name, ensure_ascii=False)}),"
            )
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    TARGET.write_text(render(FIRST_YEAR, LAST_YEAR), encoding="utf-8")
    print(f"geschreven: {TARGET} ({FIRST_YEAR}–{LAST_YEAR})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
