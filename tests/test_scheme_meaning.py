"""What each band of a scheme means, in words (the pack's key): said from the band's edges,
so the words agree with how :meth:`Scheme.classify` rates a gap, and no two bands of a scheme
are said the same way (issue: the key gave Green plus and Blue circle one meaning)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from xlperf.core.schemes import BUILTIN_SCHEMES, Band, Scheme

EDGES = st.sampled_from([-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    """A valid scheme: falling distinct (edge, inclusive) pairs, then the catch-all band."""
    pairs = draw(st.lists(st.tuples(EDGES, st.booleans()), min_size=1, max_size=4,
                          unique=True))
    pairs.sort(key=lambda p: (p[0], not p[1]), reverse=True)
    bands = [Band(f"B{i}", "x", "#000000", edge, inclusive, 0)
             for i, (edge, inclusive) in enumerate(pairs)]
    bands.append(Band("Last", "x", "#000000", -math.inf, True, 2))
    return Scheme("own", tuple(bands))


def test_the_built_in_schemes_say_each_band_as_it_is_defined() -> None:
    said = {(name, band.label): scheme.meaning(i) for name, scheme in BUILTIN_SCHEMES.items()
            for i, band in enumerate(scheme.bands)}
    assert said[("three-symbol", "Green plus")] == ("better than target by more than the "
                                                    "tolerance")
    assert said[("three-symbol", "Blue circle")] == ("within the tolerance either side of the "
                                                     "target")
    assert said[("four-band", "On target (upper half)")] == ("on target, or better by no more "
                                                             "than the tolerance")
    assert said[("four-band", "Exceeds tolerance")] != said[("four-band",
                                                             "On target (upper half)")]


# gaps to hundredths: classify tidies a gap's float noise (1e-45 is on target)
@given(schemes(), st.integers(min_value=-500, max_value=500).map(lambda n: n / 100))
def test_a_bands_words_agree_with_the_gaps_it_rates(scheme: Scheme, gap: float) -> None:
    words = scheme.meaning(scheme.classify(gap, 1.0))
    # a band said to be better than target holds only gaps above it, worse only below
    if words.startswith("better than target"):
        assert gap > 0, (words, gap)
    if words.startswith("worse than target") and "or better" not in words:
        assert gap < 0, (words, gap)
    if words.startswith("on or better than target") and "or worse" not in words:
        assert gap >= 0, (words, gap)


@given(schemes())
def test_no_two_bands_of_a_scheme_are_said_alike(scheme: Scheme) -> None:
    said = [scheme.meaning(i) for i in range(len(scheme.bands))]
    assert len(set(said)) == len(said), said
