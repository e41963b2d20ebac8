"""The vectorised SPC core (every measure at once, numpy) against a slow reference written
independently: one measure at a time in plain Python, straight from the method as docs/spc.md
states it (limits, the four rules, the conflict setting, the icons and both sentences), on
generated histories. Also the shortcuts the fast path takes: the sign of a tidied difference
without rounding, and the formatting of many numbers at once."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlperf.core._spc_xmr import _above, _below, _sign
from xlperf.core.figures import format_number, format_numbers
from xlperf.core.schemes import _tidy
from xlperf.core.spc import SpcSettings, spc

SIGNS = {"Bigger is better": 1, "Smaller is better": -1, "Data only": 0}
HOW = {"rule order": "the first rule in MDC's order decides",
       "improvement": "improvement is shown, as in MDC's Excel tool",
       "concern": "concern is shown"}


def _mean(values: list[float]) -> float:
    total = 0.0
    for v in values:  # in order, as the sums per measure are taken
        total += v
    return total / len(values)


def _not_enough(total: int, least: int, least_segment: int) -> str:
    counted, needed = (total, least) if total < least else (total, least_segment)
    return (f"not enough data for SPC: {counted} point{'' if counted == 1 else 's'}, "
            f"at least {needed} needed")


def reference(values: list[float | None], polarity: str, target: float | None,
              options: SpcSettings) -> dict[str, object]:
    """The summary row of one measure (periods 1, 2, 3...; no rebase, ghost or cumulative)."""
    sign = SIGNS[polarity]
    given_at = [i for i, v in enumerate(values) if v is not None]
    x = [float(v) for v in values if v is not None]  # type: ignore[arg-type]
    n = len(x)
    period = f"period {given_at[-1] + 1 if n else len(values)}"
    out: dict[str, object] = {"period_text": period, "points": n}
    nan = float("nan")
    if n < max(options.minimum_points, options.minimum_segment_points, 2):
        said = _not_enough(n, options.minimum_points, options.minimum_segment_points)
        out.update(mean=_mean(x) if n else nan, lower=nan, upper=nan,
                   variation="Not enough data", assurance="Not enough data",
                   variation_explanation=said, assurance_explanation=said)
        if not n:
            out["period_text"] = f"period {len(values)}"
        return out
    mean = _mean(x)
    ranges = [abs(x[i] - x[i - 1]) for i in range(1, n)]
    average_range = _mean(ranges)
    if options.screen_moving_ranges:
        kept = [r for r in ranges if not _tidy(r - 3.267 * average_range) > 0]
        average_range = _mean(kept) if kept else average_range
    spread, near_spread = 2.66 * average_range, 2.66 * 2 / 3 * average_range
    upper, lower = mean + spread, mean - spread
    upper_near, lower_near = mean + near_spread, mean - near_spread

    def cmp(a: float) -> int:
        t = _tidy(a)
        return (t > 0) - (t < 0)

    side = [cmp(v - mean) for v in x]
    beyond = [1 if cmp(v - upper) > 0 else -1 if cmp(v - lower) < 0 else 0 for v in x]
    last = n - 1
    # The run the last point ends (a point on the mean is on no side).
    run_points = 1
    while run_points < n and side[last - run_points] == side[last]:
        run_points += 1
    run = side[last] if side[last] and run_points >= options.run_length else 0
    # The trend the last point ends: steps in one direction, an equal pair breaks it.
    step = cmp(x[last] - x[last - 1])
    steps = 0
    while steps < last and step and cmp(x[last - steps] - x[last - steps - 1]) == step:
        steps += 1
    trend = step if steps and steps + 1 >= options.trend_length else 0
    # Two of the last three beyond the same 2-sigma line (not beyond the limit), all three on
    # that side of the mean.
    near = [0 if beyond[i] else 1 if cmp(x[i] - upper_near) > 0 else
            -1 if cmp(x[i] - lower_near) < 0 else 0 for i in range(n)]
    near_points, two = 0, 0
    if n >= 3 and side[last] and side[last] == side[last - 1] == side[last - 2]:
        near_points = sum(near[i] == side[last] for i in range(last - 2, last + 1))
        two = near[last] if near_points >= 2 else 0
    fired = [r for r in (beyond[last], trend, run, two) if r]
    high, low = any(r > 0 for r in fired), any(r < 0 for r in fired)
    special = 1 if high else -1 if low else 0
    if high and low:
        special = {"rule order": fired[0], "improvement": sign or fired[0],
                   "concern": -sign or fired[0]}[options.conflict]
    if not special:
        word = "Common cause"
    elif not sign:
        word = "Special cause high" if special > 0 else "Special cause low"
    else:
        word = "Special cause of improvement" if special * sign > 0 else \
            "Special cause of concern"
    f = format_number
    # The mean and limits to one decimal more than the points and the target show (at most
    # 4): a value's decimals are the fewest that give it back when written out.
    shown = max(next((k for k in range(4) if float(f"{v:.{k}f}") == v), 4)
                for v in [*x, *([] if target is None else [float(target)])])
    places = min(shown + 1, 4)

    def s(v: float) -> str:  # rounded half away from 0 as written (repr); minus 0 is 0
        digits = int((abs(Decimal(repr(v))) * 10 ** places + Decimal("0.5")).to_integral_value(
            rounding="ROUND_FLOOR"))
        text = f"{digits // 10 ** places:,}" + (f".{digits % 10 ** places:0{places}d}"
                                                 if places else "")
        return ("-" if v < 0 and digits else "") + text

    value = x[last]
    if word == "Common cause":
        body = (f"{f(value)} is within the process limits {s(lower)} to {s(upper)} and no "
                "run, trend or 2-of-3 rule fires")
    else:
        parts = []
        if beyond[last]:
            parts.append(f"{f(value)} is above the upper process limit {s(upper)}"
                         if beyond[last] > 0 else
                         f"{f(value)} is below the lower process limit {s(lower)}")
        if trend:
            parts.append(f"{steps + 1} points in a row {'rising' if trend > 0 else 'falling'}")
        if run:
            parts.append(f"{run_points} points in a row {'above' if run > 0 else 'below'} "
                         f"the mean {s(mean)}")
        if two:
            parts.append(f"{near_points} of the last 3 points above the 2-sigma band "
                         f"({s(upper_near)})" if two > 0 else
                         f"{near_points} of the last 3 points below the 2-sigma band "
                         f"({s(lower_near)})")
        body = "; ".join(parts)
        if high and low:
            body += f" (rules on both sides fire: {HOW[options.conflict]})"
    said = word[0].lower() + word[1:]
    if sign == 0:
        assured, why = "Data only", "a data-only measure is not assured against a target"
    elif target is None:
        assured, why = "No target", "no target to compare with the process limits"
    else:
        t = float(target)
        phrase = "bigger is better" if sign > 0 else "smaller is better"
        at_lower = f"target {f(t)} is at or below the lower process limit {s(lower)}, {phrase}"
        at_upper = f"target {f(t)} is at or above the upper process limit {s(upper)}, {phrase}"
        if (sign > 0 and _tidy(t - lower) <= 0) or (sign < 0 and _tidy(t - upper) >= 0):
            assured, why = "Consistently passing", at_lower if sign > 0 else at_upper
        elif (sign > 0 and _tidy(t - upper) >= 0) or (sign < 0 and _tidy(t - lower) <= 0):
            assured, why = "Consistently failing", at_upper if sign > 0 else at_lower
        else:
            assured = "Hit and miss"
            why = f"target {f(t)} is between the process limits {s(lower)} and {s(upper)}"
    out.update(mean=mean, lower=lower, upper=upper, variation=word, assurance=assured,
               variation_explanation=f"{period}: {body}: {said}",
               assurance_explanation=f"{why}: {assured[0].lower() + assured[1:]}")
    return out


values = st.one_of(st.none(), st.integers(-6, 6), st.sampled_from([0.1, 0.2, 2.5, 1234.5678,
                                                                   -0.00004, 1e-7, 99.95]))
# Noise, then (usually) a tail that makes a rule fire at the latest point: a shift, a trend up
# or down (one falling from high above the mean clashes with the run), a spike, a close pair.
tails = st.one_of(
    st.just([]),
    st.lists(st.integers(9, 12), min_size=4, max_size=10),
    st.lists(st.integers(-12, -9), min_size=4, max_size=10),
    st.integers(4, 9).map(lambda k: list(range(-k, k, 2))),
    st.integers(4, 9).map(lambda k: list(range(k, -k, -2))),
    st.integers(5, 9).map(lambda k: [30 - 2 * i for i in range(k)]),
    st.sampled_from([[40], [-40], [7, 7], [-7, -7, 0], [8, 1, 8], [9, 2, 9], [-8, -1, -8],
                     [3, 9, 1, 8], [6, 6, 6]]),
)
histories = st.tuples(st.lists(values, max_size=25), tails).map(
    lambda parts: parts[0] + parts[1]).filter(len)
measure = st.tuples(histories,
                    st.sampled_from(sorted(SIGNS)),
                    st.one_of(st.none(), st.integers(-8, 8), st.just(0.25)))
options = st.builds(SpcSettings, minimum_points=st.integers(2, 16),
                    minimum_segment_points=st.integers(2, 12),
                    run_length=st.sampled_from([6, 7, 8]), trend_length=st.sampled_from([6, 7, 8]),
                    screen_moving_ranges=st.booleans(),
                    conflict=st.sampled_from(sorted(HOW)))
MANY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@MANY
@given(st.lists(measure, min_size=1, max_size=6), options)
def test_every_measure_at_once_says_what_the_slow_reference_says_of_each_alone(measures,
                                                                             chosen):
    frames = [pd.DataFrame({"code": f"M{i}", "period": np.arange(1, len(history) + 1),
                            "value": pd.Series(history, dtype=object), "polarity": polarity})
              for i, (history, polarity, _) in enumerate(measures)]
    register = pd.DataFrame({"code": [f"M{i}" for i in range(len(measures))],
                             "polarity": [p for _, p, _ in measures],
                             "target": pd.Series([t for _, _, t in measures], dtype=object)})
    summary = spc(pd.concat(frames, ignore_index=True), register, chosen).set_index("code")
    for i, (history, polarity, target) in enumerate(measures):
        row = summary.loc[f"M{i}"]
        expected = reference(history, polarity, target, chosen)
        for column, want in expected.items():
            got = row[column]
            got = float(got) if isinstance(want, float) else got
            assert _same(got, want), (f"M{i}", column, got, want)


finite_or_not = st.floats(allow_nan=True, allow_infinity=True)
near_the_edge = st.one_of(finite_or_not, st.sampled_from([5e-10, -5e-10, 5.000001e-10,
                                                          -5.000001e-10, 4.99999e-10, 1e-9,
                                                          0.0, -0.0, 1e300, -1e300]),
                          st.integers(-10**6, 10**6).map(lambda k: k * 1e-13))


@settings(max_examples=400, deadline=None)
@given(st.lists(near_the_edge, min_size=1, max_size=20))
def test_the_sign_of_a_tidied_difference_without_rounding_is_the_rounded_ones(differences):
    d = np.array(differences, dtype=float)
    with np.errstate(invalid="ignore"):
        expected = np.nan_to_num(np.sign(_tidy(d)))
    assert (_above(d) == (_tidy(d) > 0)).all()
    assert (_below(d) == (_tidy(d) < 0)).all()
    assert (_sign(d) == expected).all()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(finite_or_not, st.sampled_from([999.9, 999.89999, 999.99995,
                                                          -999.99995, -0.00005, -0.00004999,
                                                          0.00005, 1234.5]),
                          st.decimals(-10**7, 10**7, places=5).map(float)), max_size=30))
def test_many_numbers_formatted_at_once_read_as_each_alone(numbers):
    assert format_numbers(np.array(numbers, dtype=float)).tolist() == [
        format_number(v) for v in numbers]
