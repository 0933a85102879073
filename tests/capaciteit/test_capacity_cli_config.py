"""capaciteit.yaml as `oov-bot check` reads it (problems as file:line), `oov-bot rapport
capaciteit` (Word + Markdown, read back with python-docx), and /capaciteit in the shell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document as Word

from bot.core.config_files import ConfigError
from bot.features import load_config
from testkit.team_config import copy_config
from tests.platform.test_cli import run


def _write(tmp_path: Path, text: str) -> Path:
    config = copy_config(tmp_path / "config")
    (config / "capaciteit.yaml").write_text(text, encoding="utf-8")
    return config


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("overhead_share: 1.5\n", 1, "overhead_share: is te groot"),
        ("tasks:\n  - subject: Bestaat niet\n    theme: X\n", 2, "onbekende taak 'Bestaat niet'"),
        (
            "tasks:\n  - subject: Boa-briefing\n    estimate: 3 uur per week\n",
            3,
            "de taak heeft al een tijd in tasks.yaml (“2 uur per week”)",
        ),
        (
            "tasks:\n  - subject: Horeca\n    estimate: incidenteel\n",
            3,
            "“incidenteel” geeft geen uren per week",
        ),
        (
            "piket:\n  hours_per_duty_week: 4\n  taak: x\n",
            3,
            "onbekend veld 'taak'; bedoelt u 'task'?",
        ),
        ("tasks:\n  - subject: Horeca\n", 2, "geef een estimate, een theme of allebei"),
    ],
)
def test_problems_name_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(_write(tmp_path, text))
    problems = [str(p) for p in raised.value.problems]
    assert any(message in p and f"capaciteit.yaml:{line}:" in p for p in problems), problems


def test_an_estimate_reaches_slack_as_a_row_and_leaves_the_unknown_list(tmp_path: Path) -> None:
    config = _write(
        tmp_path,
        "tasks:\n  - subject: Samenwerking RIEC-Noord\n    estimate: 4 uur per maand\n"
        "    note: schatting teamleider\n",
    )
    settings = load_config(config).extra["capaciteit.yaml"].settings
    assert settings.estimates["Samenwerking RIEC-Noord"].time_text == "4 uur per maand"


def test_rapport_capaciteit_writes_word_and_markdown(tmp_path: Path) -> None:
    assert run(["import"], tmp_path).returncode == 0
    out = tmp_path / "uit"
    result = run(["rapport", "capaciteit", "--map", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    # Dated like the Slack upload, the charts too: an earlier memo in the folder stays whole.
    written = [Path(line).name for line in result.stdout.splitlines()]
    day = re.fullmatch(r"capaciteit-(\d{4}-\d\d-\d\d)\.docx", written[0])
    assert day, written
    stem = f"capaciteit-{day[1]}"
    assert written == [f"{stem}.docx", f"{stem}.md", f"{stem}-belasting.png", f"{stem}-thema.png"]
    assert all((out / name).exists() for name in written)
    markdown = (out / f"{stem}.md").read_text(encoding="utf-8")
    assert f"({stem}-belasting.png)" in markdown and f"({stem}-thema.png)" in markdown
    # The process runs on today's date, and piket shares follow the qualifications' end dates:
    # the figures themselves are the model's tests' (fixed instants); here both files agree.
    row = re.search(r"^\| AOV-er 2 \| 36 \| 28,8 \| (\d+,\d\d?) \| (\d+,\d) % \|$", markdown, re.M)
    assert row, markdown
    word = Word(str(out / f"{stem}.docx"))
    headers = [[c.text for c in t.rows[0].cells] for t in word.tables]
    assert ["Persoon", "Contract (u/week)", "Beschikbaar", "Vraag", "Belasting"] in headers
    cells = [[c.text for c in r.cells] for t in word.tables for r in t.rows]
    assert ["AOV-er 2", "36", "28,8", row[1], f"{row[2]} %"] in cells
    assert len(word.inline_shapes) == 2


def test_the_shell_answers_capaciteit_as_text(tmp_path: Path) -> None:
    result = run(["shell"], tmp_path, stdin="/capaciteit aov-1\n/capaciteit als bibob naar aov-3\n")
    assert result.returncode == 0, result.stderr
    assert "Capaciteit van AOV-er 1" in result.stdout
    assert "BIBOB gaat naar AOV-er 3" in result.stdout
