"""bot/dataclass_code.py: the methods `@dataclass` writes, taken from a cache file instead of
compiled in every process, must be exactly the ones it compiles (issue 10)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import dataclass_code
from tests.platform.test_cli import clean_env, run

# Dataclasses of every kind the code base uses: frozen with defaults and factories, ordered,
# keyword-only, slotted, with ClassVar and InitVar fields, and one without a docstring (whose
# __doc__ dataclasses writes from the signature).
SOURCE = '''
from dataclasses import InitVar, dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Shift:
    """A docstring."""

    role: str
    person: str | None = None
    weeks: tuple[int, ...] = ()
    tags: list[str] = field(default_factory=list, compare=False)
    LIMIT: ClassVar[int] = 3


@dataclass(order=True, kw_only=True)
class Row:
    key: str
    hours: float = 0.0
    scale: InitVar[int] = 1

    def __post_init__(self, scale: int) -> None:
        self.hours *= scale


@dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 0
'''
METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__")


def make_classes() -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "cached_example"}
    exec(compile(SOURCE, "example.py", "exec", dont_inherit=True), namespace)
    return {name: namespace[name] for name in ("Shift", "Row", "Point")}


def shape(cls: type) -> dict[str, Any]:
    """What a class's generated methods are: their code and everything bound to them."""
    found: dict[str, Any] = {"doc": cls.__doc__, "match_args": cls.__match_args__}
    for name in METHODS:
        method = cls.__dict__.get(name)
        code = getattr(method, "__code__", None)
        if code is None:
            found[name] = method if method is None else type(method).__name__
            continue
        found[name] = (
            code.co_code,
            code.co_consts,
            code.co_names,
            code.co_varnames,
            code.co_filename,
            method.__defaults__,
            method.__kwdefaults__,
            {name: repr(value) for name, value in method.__annotations__.items()},
            method.__qualname__,
        )
    return found


@pytest.fixture
def cache_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "__pycache__" / "dataclass_code.cache"
    yield path
    dataclass_code.uninstall()


def with_cache(path: Path) -> tuple[dict[str, Any], int]:
    dataclass_code.install(path)
    try:
        return make_classes(), dataclass_code.misses()
    finally:
        dataclass_code.uninstall()


def test_methods_from_the_cache_are_the_ones_dataclasses_compiles(
    cache_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    plain = make_classes()

    compiled, first_misses = with_cache(cache_file)
    cached, second_misses = with_cache(cache_file)

    assert first_misses > 10 and cache_file.exists()
    assert second_misses == 0
    for name, cls in plain.items():
        assert shape(compiled[name]) == shape(cls) == shape(cached[name]), name
    # And they behave alike: equality, hashing, order, frozenness, repr, __post_init__.
    Shift, Row, Point = cached["Shift"], cached["Row"], cached["Point"]
    assert Shift("ovd", "aov-1", tags=["a"]) == Shift("ovd", "aov-1")
    assert hash(Shift("ovd")) == hash(Shift("ovd"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        Shift("ovd").role = "im"  # type: ignore[misc]
    assert repr(Point(1)) == "Point(x=1, y=0)" and Point(1) != Point(2)
    assert Row(key="a", hours=2, scale=3).hours == 6
    assert Row(key="a") < Row(key="b")
    # Nothing of the cache is left in dataclasses once it is uninstalled.
    assert "exec" not in vars(dataclasses)


def test_a_damaged_or_foreign_file_is_compiled_over(
    cache_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    cache_file.parent.mkdir(parents=True)
    for damage in (b"", b"not a cache at all", dataclass_code.MAGIC + b"\xff" * 40):
        cache_file.write_bytes(damage)
        classes, misses = with_cache(cache_file)
        assert misses > 0
        assert shape(classes["Shift"]) == shape(make_classes()["Shift"])
        assert with_cache(cache_file)[1] == 0  # rewritten whole


def test_a_text_that_only_shares_a_hash_is_compiled(
    cache_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    with_cache(cache_file)
    # Every text now hashes to one key: the stored text differs, so the code is not taken.
    monkeypatch.setattr(dataclass_code, "_key", lambda text: b"\x00" * dataclass_code.KEY_SIZE)
    classes, misses = with_cache(cache_file)
    assert misses > 10
    assert shape(classes["Point"]) == shape(make_classes()["Point"])


def test_without_bytecode_writing_or_a_writable_directory_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "dataclass_code.cache"
    with_cache(path)
    assert not path.exists()

    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    classes, misses = with_cache(blocked / "dataclass_code.cache")  # its parent is a file
    assert misses > 0 and classes["Shift"]("ovd").role == "ovd"


PROBE = """
import json, sys, waitress.server
import bot.entry
from bot import dataclass_code

class Probe:
    def print_listen(self, _format):
        pass
    def run(self):
        print(json.dumps({"misses": dataclass_code.misses()}))

waitress.server.create_server = lambda *args, **kwargs: Probe()
raise SystemExit(bot.entry.main())
"""


def test_a_second_serve_compiles_no_dataclass_method(tmp_path: Path) -> None:
    assert run(["db", "upgrade"], tmp_path).returncode == 0
    env = clean_env(tmp_path, PYTHONDONTWRITEBYTECODE="")

    def serve() -> int:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, "serve"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return int(json.loads(done.stdout.splitlines()[-1])["misses"])

    serve()  # fills the cache as far as it was not filled by an earlier run
    assert serve() == 0
