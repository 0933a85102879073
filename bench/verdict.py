"""Verdicts that noise cannot flip: per-round ratios, their median and a confidence interval.

A benchmark that compares an app with its floor (a bare Bolt app, a static file, ...) measures
both in many short rounds, taking turns (ABBA), and divides within each round: slow drift on a
shared machine (other processes, CPU frequency, a busy disk) hits both sides of a round alike and
cancels in that round's ratio. The figure reported is the median of the per-round ratios, with a
distribution-free confidence interval for that median; the verdict comes from the interval:

- "met" when the whole interval is within the goal,
- "NOT met" when the whole interval is beyond it,
- "inconclusive (noise)" when it straddles the goal (or when there are too few rounds to say).

Why this method: the median of per-round ratios shrugs off a round that a burst of load spoiled
(a pooled p99 does not: one bad second decides it), and its interval from order statistics (the
sign-test interval) assumes nothing about the shape of the ratios' distribution, which is skewed
and heavy-tailed here, and needs no random resampling, so the same numbers always give the same
verdict. It assumes only that rounds are independent, which interleaving makes nearly true.

Pure functions on numbers: nothing here starts a server or reads a clock, so issue-10-style
benchmarks in other processes can reuse it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from math import comb
from typing import TypeVar

CONFIDENCE = 0.95
"""The coverage the interval must reach before a verdict other than "inconclusive" is given."""

S = TypeVar("S")


def median_interval_ranks(rounds: int, confidence: float = CONFIDENCE) -> tuple[int, float]:
    """(k, coverage): the k-th smallest and k-th largest of `rounds` values bound their median
    with probability `coverage`, the narrowest such interval with coverage ≥ `confidence`.

    The median lies below the k-th smallest value exactly when fewer than k values are below
    it, which for independent values is Binomial(rounds, 1/2) < k; likewise above the k-th
    largest. When even min–max falls short of `confidence` (fewer than 6 rounds at 95 %), k is
    1 and `coverage` says how little it is."""
    if rounds < 1:
        raise ValueError("need at least one round")

    def coverage(k: int) -> float:
        return 1 - 2 * sum(comb(rounds, i) for i in range(k)) / 2**rounds

    k = 1
    while k + 1 <= (rounds + 1) // 2 and coverage(k + 1) >= confidence:
        k += 1
    return k, max(0.0, coverage(k))


@dataclass(frozen=True)
class Spread:
    """The median of per-round values with a confidence interval [low, high] for it; `coverage`
    is the interval's actual confidence level."""

    median: float
    low: float
    high: float
    rounds: int
    coverage: float

    @classmethod
    def of(cls, values: Iterable[float], confidence: float = CONFIDENCE) -> Spread:
        ordered = sorted(values)
        if not ordered:
            raise ValueError("need at least one round")
        k, coverage = median_interval_ranks(len(ordered), confidence)
        return cls(
            median=statistics.median(ordered),
            low=ordered[k - 1],
            high=ordered[-k],
            rounds=len(ordered),
            coverage=coverage,
        )

    def interval(self) -> str:
        return f"{self.low:.2f}–{self.high:.2f}"

    def __str__(self) -> str:
        return f"{self.median:.2f} ({self.interval()})"


def ratio_spread(ours: Sequence[S], floor: Sequence[S], metric: Callable[[S], float]) -> Spread:
    """The spread of metric(ours) / metric(floor) per round; round i of each was measured in
    the same round."""
    if len(ours) != len(floor):
        raise ValueError(f"{len(ours)} rounds against {len(floor)}: rounds must pair up")
    return Spread.of(metric(a) / metric(b) for a, b in zip(ours, floor, strict=True))


class Verdict(StrEnum):
    MET = "met"
    NOT_MET = "NOT met"
    INCONCLUSIVE = "inconclusive (noise)"


def judge_at_most(spread: Spread, goal: float, confidence: float = CONFIDENCE) -> Verdict:
    """The verdict on "the ratio is at most `goal`"."""
    if spread.coverage < confidence:
        return Verdict.INCONCLUSIVE  # too few rounds for any interval to mean much
    if spread.high <= goal:
        return Verdict.MET
    if spread.low > goal:
        return Verdict.NOT_MET
    return Verdict.INCONCLUSIVE


@dataclass(frozen=True)
class Check:
    """One goal's verdict; `what` names the figure, e.g. "p99 ratio 1.62 (1.55–1.70) at
    concurrency 20"."""

    what: str
    verdict: Verdict

    @classmethod
    def ratio_at_most(cls, name: str, spread: Spread, goal: float, where: str = "") -> Check:
        where = f" {where}" if where else ""
        return cls(f"{name} {spread}{where}", judge_at_most(spread, goal))

    @classmethod
    def plain(cls, what: str, met: bool) -> Check:
        """A goal that noise cannot blur (e.g. "no request over 3 s")."""
        return cls(what, Verdict.MET if met else Verdict.NOT_MET)


def overall(checks: Iterable[Check]) -> Verdict:
    """NOT met when any goal is surely missed; else inconclusive when any is unsure; else met."""
    verdicts = {check.verdict for check in checks}
    for verdict in (Verdict.NOT_MET, Verdict.INCONCLUSIVE):
        if verdict in verdicts:
            return verdict
    return Verdict.MET


def verdict_line(checks: Sequence[Check]) -> str:
    """The report's last line: `Result: met.`, `Result: NOT met — <the misses>.` or
    `Result: inconclusive (noise) — <the figures whose interval straddles the goal>: ...`."""
    verdict = overall(checks)
    if verdict is Verdict.MET:
        return "Result: met."
    named = "; ".join(check.what for check in checks if check.verdict is verdict)
    if verdict is Verdict.NOT_MET:
        return f"Result: NOT met — {named}."
    return (
        f"Result: inconclusive (noise) — {named}: the interval straddles the goal or the rounds "
        "are too few; run again with more rounds or on a quieter machine."
    )
