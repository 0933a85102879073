"""Waiting for something another thread or process does, without guessing how long it takes: a
loaded CI machine can take many times longer than a laptop, and a fixed sleep then fails a test
that is right."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Return once `condition()` is true; AssertionError after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s"
        time.sleep(0.05)
