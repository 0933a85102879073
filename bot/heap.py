"""The long-lived heap of a server process, kept out of the garbage collector's way.

A process that has assembled its app holds some 100k objects that live as long as it does
(modules, classes, SQLAlchemy's mappers, Bolt's listeners, ...). CPython's collector scans every
tracked object in a full collection; with that heap in the oldest generation, the first full
collection lands a few hundred requests after start and stops every thread for 80-100 ms.
`settle()` moves it, once assembled, into the permanent generation (`gc.freeze`), which
collections never scan: from then on a full collection only walks what the process made since.
It freezes without collecting first: start-up leaves ~1,500 unreachable objects (0.3 MiB, mostly
the command-line parser's), and finding them means a full scan of the ~110k live ones, 60-90 ms
of a start that the console script keeps free of collections (bot/entry.py).

`OOV_GC_LOG=<file>` (for benchmarks; off by default) appends one line per collection that matters
to that file: every full (generation 2) collection, and any younger one that took over 1 ms:
`<time.monotonic()> <generation> <milliseconds> <collected objects> <CPU milliseconds>`, after a
first line `<time.monotonic()> start <objects frozen> 0`. The wall time is the pause the other
threads saw; the CPU time (of the collecting thread) is the collector's own work, which a busy
machine cannot stretch.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path
from typing import Any

GC_LOG_ENV = "OOV_GC_LOG"
SLOW_YOUNG_MS = 1.0

# The thresholds stay CPython's (700, 10, 10), measured against the alternative: with the start-up
# heap frozen, a full collection walks only what was made since start (13 ms at most in
# bench/slash_latency.py's fresh runs). Raising the young threshold to 7,000, so that fewer
# in-flight request objects get promoted, made each generation-1 collection walk up to 70k
# objects instead: 24 collections over 1 ms in the same runs, the longest 69 ms.


def settle() -> int:
    """Freeze the start-up heap out of every later collection (see above); returns how many
    objects were frozen. Call once the app is assembled, before serving. Turns the collector back
    on when the console script paused it for start-up (bot/entry.py)."""
    gc.freeze()
    gc.enable()
    frozen = gc.get_freeze_count()
    if path := os.environ.get(GC_LOG_ENV):
        record_collections(Path(path), frozen)
    return frozen


class _CollectionLog:
    """The gc callback behind OOV_GC_LOG: one short line per full or slow collection."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="ascii", buffering=1)  # line-buffered: readable live
        self._started: dict[int, tuple[float, float]] = {}  # per thread: a collection runs in the
        self._lock = threading.Lock()  # thread that triggered it; callbacks may interleave

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        now, cpu = time.monotonic(), time.thread_time()
        thread = threading.get_ident()
        if phase == "start":
            self._started[thread] = (now, cpu)
            return
        began = self._started.pop(thread, None)
        if began is None:
            return
        generation = info.get("generation", -1)
        ms, cpu_ms = (now - began[0]) * 1000, (cpu - began[1]) * 1000
        if generation == 2 or ms > SLOW_YOUNG_MS:
            collected = info.get("collected", 0)
            line = f"{began[0]:.6f} {generation} {ms:.3f} {collected} {cpu_ms:.3f}\n"
            with self._lock:
                self._file.write(line)


def record_collections(path: Path, frozen: int) -> None:
    log = _CollectionLog(path)
    log._file.write(f"{time.monotonic():.6f} start {frozen} 0\n")
    gc.callbacks.append(log)
