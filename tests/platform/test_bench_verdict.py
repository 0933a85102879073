"""The benchmarks' verdict logic (bench/verdict.py) on synthetic per-round figures: a verdict
comes from the confidence interval of the median per-round ratio, so noise makes it
"inconclusive (noise)" rather than flipping it between "met" and "NOT met"."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bench.verdict import (
    Check,
    Spread,
    Verdict,
    judge_at_most,
    median_interval_ranks,
    overall,
    ratio_spread,
    verdict_line,
)

GOAL = 1.5


@dataclass(frozen=True)
class RoundFigures:
    p99: float


def rounds(*p99: float) -> list[RoundFigures]:
    return [RoundFigures(value) for value in p99]


def test_the_interval_is_the_sign_test_interval_of_the_median() -> None:
    # Binomial(16, 1/2): P(X <= 3) = 697/65536, so the 4th smallest to 4th largest of 16 values
    # bound the median with 1 - 2 * 697/65536 = 97.87 %; the 5th would give only 92.3 %.
    k, coverage = median_interval_ranks(16)
    assert k == 4
    assert coverage == pytest.approx(1 - 2 * 697 / 65536)
    assert median_interval_ranks(20)[0] == 6
    # Fewer than 6 rounds: even min–max is not a 95 % interval, and says so.
    assert median_interval_ranks(5) == (1, pytest.approx(0.9375))


def test_the_ratio_is_taken_within_each_round_then_the_median_over_rounds() -> None:
    # The machine slows down tenfold half-way through; both apps slow down alike within a round,
    # so the per-round ratio stays 1.2 although pooled figures would mix fast and slow rounds.
    ours = rounds(12, 12, 12, 120, 120, 120)
    floor = rounds(10, 10, 10, 100, 100, 100)

    spread = ratio_spread(ours, floor, lambda figures: figures.p99)

    assert spread == Spread(median=1.2, low=1.2, high=1.2, rounds=6, coverage=spread.coverage)
    assert spread.coverage > 0.95
    assert str(spread) == "1.20 (1.20–1.20)"


def test_rounds_must_pair_up() -> None:
    with pytest.raises(ValueError, match="pair up"):
        ratio_spread(rounds(1, 2), rounds(1), lambda figures: figures.p99)


def test_an_interval_wholly_within_the_goal_is_met() -> None:
    spread = Spread.of([0.9, 1.0, 1.1, 1.05, 0.95, 1.2, 1.0, 1.1, 0.98, 1.02, 1.4, 1.3, 1.0, 1.1])

    assert spread.high <= GOAL
    assert judge_at_most(spread, GOAL) is Verdict.MET


def test_an_interval_wholly_above_the_goal_is_not_met() -> None:
    spread = Spread.of([1.8, 2.0, 1.6, 1.9, 2.2, 1.7, 2.5, 1.55, 1.9, 2.0, 1.8, 2.1, 1.7, 1.9])

    assert spread.low > GOAL
    assert judge_at_most(spread, GOAL) is Verdict.NOT_MET


def test_an_interval_straddling_the_goal_is_inconclusive() -> None:
    # The flip of issue 9: rounds around 0.94 and around 1.52 on the same commit.
    spread = Spread.of([0.94, 1.52, 1.1, 1.6, 0.9, 1.45, 1.3, 1.7, 1.0, 1.55, 1.2, 1.48, 0.95, 1.6])

    assert spread.low <= GOAL < spread.high
    assert judge_at_most(spread, GOAL) is Verdict.INCONCLUSIVE


def test_one_spoilt_round_does_not_flip_the_verdict() -> None:
    # A burst of load from another process makes one round's p99 ratio 3.0 (or 0.3): the median
    # and its interval hardly move, where a pooled p99 would follow that one round.
    calm = [1.0, 1.05, 0.97, 1.1, 1.02, 0.99, 1.08, 1.01, 0.96, 1.04, 1.03, 1.0, 1.06, 0.98, 1.02]

    for outlier in (3.0, 0.3):
        assert judge_at_most(Spread.of([*calm, outlier]), GOAL) is Verdict.MET


def test_the_boundaries_belong_where_the_goal_says() -> None:
    # "ratio <= goal": an interval ending exactly at the goal is met; one starting exactly at
    # it is not wholly above it.
    assert judge_at_most(Spread.of([1.0] * 5 + [1.5] * 5), GOAL) is Verdict.MET
    assert judge_at_most(Spread.of([1.5] * 5 + [2.0] * 5), GOAL) is Verdict.INCONCLUSIVE


def test_too_few_rounds_give_no_verdict_either_way() -> None:
    assert judge_at_most(Spread.of([3.0, 3.1, 2.9]), GOAL) is Verdict.INCONCLUSIVE
    assert judge_at_most(Spread.of([1.0, 1.0, 1.0]), GOAL) is Verdict.INCONCLUSIVE


def test_the_overall_verdict_and_its_line() -> None:
    met = Check("p99 ratio 1.02 (0.95–1.10) at concurrency 1", Verdict.MET)
    unsure = Check("p99 ratio 1.40 (1.20–1.60) at concurrency 20", Verdict.INCONCLUSIVE)
    missed = Check.plain("slowest request 3.4 s at concurrency 20", met=False)

    assert overall([met, Check.plain("slowest request 0.1 s", met=True)]) is Verdict.MET
    assert verdict_line([met]) == "Result: met."

    line = verdict_line([met, unsure])
    assert line.startswith("Result: inconclusive (noise) — p99 ratio 1.40 (1.20–1.60) at ")
    assert "0.95–1.10" not in line  # only the figures that are unsure

    # A goal surely missed outweighs one that noise blurs.
    assert verdict_line([met, unsure, missed]) == (
        "Result: NOT met — slowest request 3.4 s at concurrency 20."
    )


def test_a_ratio_check_names_the_figure_with_its_interval() -> None:
    spread = Spread.of([1.6, 1.7, 1.8, 1.9, 2.0, 2.1])

    check = Check.ratio_at_most("p99 ratio", spread, GOAL, "at concurrency 20")

    assert check == Check("p99 ratio 1.85 (1.60–2.10) at concurrency 20", Verdict.NOT_MET)
