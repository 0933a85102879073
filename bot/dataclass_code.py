"""The methods `@dataclass` writes, compiled once and kept between runs, as .pyc files keep modules.

For every dataclass, `dataclasses` writes the source of `__init__`, `__repr__`, `__eq__`,
`__hash__` and (frozen) `__setattr__`/`__delattr__` and compiles each with `exec`: some 1,100
compilations for the ~190 dataclasses a server creates, ~75-100 ms of its start (issue 10),
every time, although the text only changes with the code. `install()` lets `dataclasses` look
each text up in a cache file next to the package's bytecode before compiling it, and `save()`
writes what was compiled anew. A text compiles to the same code every time, so a found one is
exactly what `exec` would have made: the cache is keyed by the text itself and by the Python
version (the bytecode's cache tag). Any problem with the file means compiling as before.

Only `dataclasses`' own `exec` is replaced (a name in that module's globals, where it finds the
builtin), so nothing else in the process changes. The console script installs it (bot/entry.py);
a server saves and uninstalls it once assembled (bot/heap.py), any other command when it ends.
The file is mapped, not read: sorted hashes of the texts, then per text where it and its code
lie. A lookup reads only what it finds, so the cache adds nothing to a server's heap (a file
read into memory left ~0.4 MiB of its index and buffers in the idle process).
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import hashlib
import marshal
import mmap
import os
import struct
import sys
import tempfile
from pathlib import Path
from types import CodeType
from typing import Any

CACHE_FILE = (
    Path(__file__).resolve().parent
    / "__pycache__"
    / f"dataclass_code.{sys.implementation.cache_tag}.cache"
)
# When a run compiled something new, the file keeps what it used and made and, up to this many
# in all, what earlier runs made (other commands create other dataclasses).
MAX_ENTRIES = 5000

MAGIC = b"oovdc\x00\x01\x00"
_COUNT = struct.Struct("<8sI")  # magic, number of entries
KEY_SIZE = 16
_ENTRY = struct.Struct("<III")  # text start, text end (= code start), code end in the data


def _key(text: bytes) -> bytes:
    return hashlib.blake2b(text, digest_size=KEY_SIZE).digest()


class _File:
    """The cache file, mapped: `_COUNT`, then the sorted keys, the entries, and the data."""

    def __init__(self, path: Path) -> None:
        self.map: mmap.mmap | None = None
        self.count = 0
        try:
            with path.open("rb") as file:
                self.map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
            magic, count = _COUNT.unpack_from(self.map, 0)
        except (OSError, ValueError, struct.error):
            self.close()
            return
        self.keys_at = _COUNT.size
        self.entries_at = self.keys_at + count * KEY_SIZE
        self.data_at = self.entries_at + count * _ENTRY.size
        if magic != MAGIC or len(self.map) < self.data_at:
            self.close()
            return
        self.count = count

    def _map(self) -> mmap.mmap:
        if self.map is None:
            raise ValueError("the cache file is closed")
        return self.map

    def key(self, index: int) -> bytes:
        at = self.keys_at + index * KEY_SIZE
        return self._map()[at : at + KEY_SIZE]

    def find(self, key: bytes) -> int | None:
        low, high = 0, self.count
        while low < high:
            middle = (low + high) // 2
            if self.key(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low if low < self.count and self.key(low) == key else None

    def entry(self, index: int) -> tuple[bytes, bytes]:
        """(text, marshalled code) of entry `index`; ValueError when the file is damaged."""
        mapped = self._map()
        start, middle, end = _ENTRY.unpack_from(mapped, self.entries_at + index * _ENTRY.size)
        if not start <= middle <= end <= len(mapped) - self.data_at:
            raise ValueError("entry outside the file")
        at = self.data_at
        return mapped[at + start : at + middle], mapped[at + middle : at + end]

    def close(self) -> None:
        mapped, self.map, self.count = self.map, None, 0
        if mapped is not None:
            # Another thread still reading it: unmapped when that lets go.
            with contextlib.suppress(BufferError):
                mapped.close()


class _Cache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = _File(path)
        self.used: list[int] = []  # entries of the file this run found
        self.new: dict[bytes, tuple[bytes, bytes]] = {}  # key -> (text, marshalled code)
        self.misses = 0

    def exec(
        self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /
    ) -> None:
        code = self.code(source) if isinstance(source, str) else source
        builtins.exec(code, globals, locals)

    def code(self, source: str) -> CodeType:
        text = source.encode()
        key = _key(text)
        try:
            found = self.file.find(key)
            if found is not None:
                stored, marshalled = self.file.entry(found)
                code = marshal.loads(marshalled) if stored == text else None
                if isinstance(code, CodeType):
                    self.used.append(found)
                    return code
        # A damaged file, or one closed meanwhile by another thread's uninstall(): compile.
        except (EOFError, ValueError, TypeError, struct.error):
            pass
        self.misses += 1
        # dont_inherit: compiled under dataclasses' own (absent) __future__ flags, not this
        # module's, exactly as its `exec(text, ...)` compiles.
        code = compile(source, "<string>", "exec", dont_inherit=True)
        self.new[key] = (text, marshal.dumps(code))
        return code

    def entries(self) -> dict[bytes, tuple[bytes, bytes]]:
        """What to write: what this run used and made, then earlier runs' up to MAX_ENTRIES."""
        # Copies first: another thread may be importing (and creating dataclasses) meanwhile.
        used, new = list(self.used), dict(self.new)
        kept = {self.file.key(i): self.file.entry(i) for i in used}
        kept |= new
        for index in range(self.file.count):
            if len(kept) >= MAX_ENTRIES:
                break
            kept.setdefault(self.file.key(index), self.file.entry(index))
        return kept

    def save(self) -> None:
        if not self.new or sys.dont_write_bytecode:
            return
        try:
            entries = self.entries()
        except (ValueError, struct.error):
            entries = dict(self.new)  # a damaged file: start a new one
        keys = sorted(entries)
        parts = [_COUNT.pack(MAGIC, len(keys)), *keys]
        data: list[bytes] = []
        at = 0
        for key in keys:
            text, code = entries[key]
            parts.append(_ENTRY.pack(at, at + len(text), at + len(text) + len(code)))
            data += (text, code)
            at += len(text) + len(code)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # A whole file or none: another process may be reading or writing it.
            fd, name = tempfile.mkstemp(dir=self.path.parent, prefix=".dataclass_code.")
            try:
                os.fchmod(fd, 0o644)  # readable like the .pyc files beside it
                with os.fdopen(fd, "wb") as out:
                    out.writelines([*parts, *data])
                os.replace(name, self.path)
            except BaseException:
                os.unlink(name)
                raise
        except OSError:
            return  # a read-only install compiles every time, as before
        self.new = {key: entry for key, entry in self.new.items() if key not in entries}

    def close(self) -> None:
        self.file.close()


_installed: _Cache | None = None
_misses_before = 0  # of the cache uninstalled last


def install(path: Path = CACHE_FILE) -> None:
    """Let `dataclasses` take the methods it writes from the cache (see above); a command that
    never settles a heap saves at exit."""
    global _installed
    if _installed is None:
        _installed = _Cache(path)
        dataclasses.exec = _installed.exec  # type: ignore[attr-defined]
        atexit.register(save)


def save() -> None:
    """Write what was compiled anew, if anything."""
    if _installed is not None:
        _installed.save()


def uninstall() -> None:
    """Save, and let `dataclasses` compile with the builtin again; unmaps the file."""
    global _installed, _misses_before
    if _installed is not None:
        _installed.save()
        _installed.close()
        _misses_before = _installed.misses
        del dataclasses.exec  # type: ignore[attr-defined]
        _installed = None


def misses() -> int:
    """Methods compiled because the cache did not have them, by the cache installed now (or
    the last one, once uninstalled)."""
    return _installed.misses if _installed is not None else _misses_before
