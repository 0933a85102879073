"""Running `oov-bot check` on a config directory and finding lines in its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


def check(
    config_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str]]:
    """`oov-bot check` on `config_dir`: exit code and output lines (stderr first)."""
    monkeypatch.setenv("OOV_CONFIG_DIR", str(config_dir))
    code = main(["check"])
    captured = capsys.readouterr()
    return code, (captured.err + captured.out).splitlines()


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the `occurrence`-th line of `path` containing `needle`."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[occurrence - 1]
