"""Which measures get a measure card in the committee pack, and why: one policy, one place.

A committee wants the measures that need its attention, not a card for every wobble of a Green
measure. The policy (:class:`CardPolicy`) is read from two optional rows of the master's
``Settings`` sheet:

- ``Report cards``: which reasons give a card, comma separated (blank: the default,
  ``beyond tolerance, off target and worsening, reported status differs``). The words:
  ``beyond tolerance`` (rated in the scheme's worst band: Red, Red diamond, Below
  tolerance), ``off target and worsening`` (rated worse than target and worse than the
  previous period by at least the threshold), ``worsening`` (any rated measure worsening by at
  least the threshold, on target or not), ``reported status differs`` (the owner reported a
  status the rule does not give), ``every measure``, or ``none``.
- ``Card worsening threshold``: how far a measure must have moved the wrong way to count as
  worsening, as a share of its tolerance (``25%`` or ``0.25``; default 25 %). A measure whose
  tolerance is 3 points moved 0.5 points worse is noise at the default; 1 point is not.

A measure on target that moved within its tolerance gets no card by default. Pure: arrays in,
arrays out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from xlperf.core.direction import WORSENING
from xlperf.core.schemes import MISSED
from xlperf.core.status import RELATIVE
from xlperf.errors import InputError
from xlperf.findings import StatusSeverity

BEYOND = "beyond tolerance"
OFF_AND_WORSENING = "off target and worsening"
WORSENING_ANY = "worsening"
DIFFERS = "reported status differs"
EVERY = "every measure"
REASONS = (BEYOND, OFF_AND_WORSENING, WORSENING_ANY, DIFFERS, EVERY)

#: The default worsening threshold: a quarter of the tolerance.
DEFAULT_THRESHOLD = 0.25

# Words a council may write -> reason.
_WORDS = {
    "beyond tolerance": BEYOND, "red": BEYOND, "missed": BEYOND,
    "off target and worsening": OFF_AND_WORSENING, "off target worsening": OFF_AND_WORSENING,
    "worse than target and worsening": OFF_AND_WORSENING,
    "worsening": WORSENING_ANY, "all worsening": WORSENING_ANY, "any worsening": WORSENING_ANY,
    "reported status differs": DIFFERS, "reported differs": DIFFERS,
    "status differs": DIFFERS, "reported status": DIFFERS,
    "every measure": EVERY, "all measures": EVERY, "all": EVERY, "every": EVERY,
}


@dataclass(frozen=True)
class CardPolicy:
    """Which reasons give a measure a card, and the worsening threshold (share of tolerance).

    >>> CardPolicy().reasons
    ('beyond tolerance', 'off target and worsening', 'reported status differs')
    >>> parse_card_policy("Beyond tolerance; worsening", "10%").threshold
    0.1
    """

    reasons: tuple[str, ...] = (BEYOND, OFF_AND_WORSENING, DIFFERS)
    threshold: float = DEFAULT_THRESHOLD

    def describe(self) -> str:
        """The policy in a sentence, for the pack."""
        if not self.reasons:
            return "No measure cards are printed (the 'Report cards' setting is none)."
        if EVERY in self.reasons:
            return "Every measure has a card (the 'Report cards' setting)."
        parts = {BEYOND: "it is beyond tolerance (the scheme's worst band)",
                 OFF_AND_WORSENING: "it is worse than target and has worsened",
                 WORSENING_ANY: "it has worsened",
                 DIFFERS: "the status its owner reported differs from the rule's"}
        words = [parts[r] for r in self.reasons]
        text = "A measure has a card when " + (", ".join(words[:-1]) + " or " + words[-1]
                                               if len(words) > 1 else words[0])
        if {OFF_AND_WORSENING, WORSENING_ANY} & set(self.reasons):
            text += (f"; worsened means worse than the previous period by at least "
                     f"{format(round(self.threshold * 100, 6), 'g')}% of its tolerance")
        return text + "."


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or \
        str(value).strip() == ""


def parse_card_reasons(value: Any) -> tuple[str, ...]:
    """The reasons named in a ``Report cards`` setting (in :data:`REASONS` order); blank is
    the default. Raises :class:`~xlperf.errors.InputError` for a word it does not know.

    >>> parse_card_reasons("Reported status differs, beyond tolerance")
    ('beyond tolerance', 'reported status differs')
    >>> parse_card_reasons("none")
    ()
    """
    if _blank(value):
        return CardPolicy().reasons
    text = str(value).replace(";", ",").replace("\n", ",")
    words = [" ".join(w.strip().lower().replace("_", " ").split()) for w in text.split(",")]
    words = [w for w in words if w]
    if words == ["none"] or words == ["no cards"]:
        return ()
    chosen = set()
    for word in words:
        reason = _WORDS.get(word)
        if reason is None:
            raise InputError(f"report cards {word!r} is not one of: {', '.join(REASONS)}, "
                             "none")
        chosen.add(reason)
    return tuple(r for r in REASONS if r in chosen)


def parse_threshold(value: Any) -> float:
    """A ``Card worsening threshold``: a share of the tolerance, ``25%``, ``0.25`` or ``25``
    (read as a per cent when above 1); blank is :data:`DEFAULT_THRESHOLD`.

    >>> parse_threshold("25%"), parse_threshold(0.5), parse_threshold(None)
    (0.25, 0.5, 0.25)
    """
    if _blank(value):
        return DEFAULT_THRESHOLD
    text = str(value).strip()
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip().replace(",", ""))
    except ValueError:
        raise InputError(f"card worsening threshold {value!r} is not a number or a "
                         "percentage of the tolerance (e.g. 25%)") from None
    if not math.isfinite(number) or number < 0:
        raise InputError(f"card worsening threshold {value!r} must be zero or more")
    return number / 100 if percent or number > 1 else number


def parse_card_policy(reasons: Any = None, threshold: Any = None) -> CardPolicy:
    """The :class:`CardPolicy` of the two settings (blank: the defaults)."""
    return CardPolicy(parse_card_reasons(reasons), parse_threshold(threshold))


def tolerance_widths(target: Any, tolerance: Any, tolerance_type: Any) -> np.ndarray:
    """Each measure's tolerance in its own unit: the tolerance itself, or that % of the
    target for a relative tolerance (NaN when unknown).

    >>> tolerance_widths([90, 200], [3, 5], ["absolute", "relative"]).tolist()
    [3.0, 10.0]
    """
    target = np.asarray(target, dtype=float)
    tol = np.asarray(tolerance, dtype=float)
    relative = np.asarray(tolerance_type, dtype=object) == RELATIVE
    return np.where(relative, np.abs(target) * tol / 100, tol)


def card_reasons(scored: pd.DataFrame, policy: CardPolicy | None = None,
                 widths: Any = None) -> pd.DataFrame:
    """Why each measure of ``scored`` (:func:`xlperf.score`'s result) gets a card: one row
    per measure, same index, with the flags ``beyond_tolerance``, ``worsening`` (worse than
    the previous period by at least the threshold), ``reported_differs``, ``card`` (the
    policy gives it one) and ``why`` (the reasons in words, ``""`` without a card).
    ``widths``: each measure's tolerance in its unit (:func:`tolerance_widths`); without
    them any worsening counts.

    >>> frame = pd.DataFrame({"code": ["A", "B", "C"], "rated": [True] * 3,
    ...     "severity": [2, 0, 1], "direction": ["No change ↔", "Worsening ↓", "Worsening ↓"],
    ...     "actual": [80, 95, 88], "previous": [80, 96, 89.5],
    ...     "reported_differs": [False] * 3, "status": ["Red", "Green", "Amber"]})
    >>> card_reasons(frame, widths=[3, 3, 3])["why"].tolist()
    ['beyond tolerance', '', 'off target and worsening']
    """
    policy = policy or CardPolicy()
    n = len(scored)
    rated = scored["rated"].fillna(False).astype(bool).to_numpy()
    severity = pd.to_numeric(scored["severity"], errors="coerce").fillna(0).to_numpy()
    beyond = rated & (severity >= MISSED)
    off_target = rated & (severity >= StatusSeverity.WITHIN_TOLERANCE)
    moved = np.abs(scored["actual"].to_numpy(dtype=float)
                   - scored["previous"].to_numpy(dtype=float))
    width = (np.full(n, 0.0) if widths is None
             else np.nan_to_num(np.asarray(widths, dtype=float), nan=0.0))
    worse = (scored["direction"].to_numpy(dtype=object) == WORSENING) & rated
    worsening = worse & (moved >= policy.threshold * width - 1e-9)
    differs = (scored["reported_differs"].fillna(False).astype(bool).to_numpy()
               if "reported_differs" in scored.columns else np.zeros(n, dtype=bool))
    chosen = set(policy.reasons)
    parts: list[tuple[np.ndarray, Any]] = []  # (rows, the reason: one word or one per row)
    if BEYOND in chosen:
        parts.append((beyond, BEYOND))
    none = np.zeros(n, dtype=bool)
    if OFF_AND_WORSENING in chosen:
        told = beyond if BEYOND in chosen else none  # "beyond tolerance" already says off target
        parts.append((off_target & worsening & ~told, OFF_AND_WORSENING))
        parts.append((told & worsening, "worsening"))
    if WORSENING_ANY in chosen:
        parts.append((worsening & ~(off_target if OFF_AND_WORSENING in chosen else none),
                      "worsening"))
    if DIFFERS in chosen:
        reported = scored.get("reported_status", pd.Series([None] * n, index=scored.index))
        words = np.array([f"reported {r}, rule says {s}" for r, s in zip(
            reported.astype(object), scored["status"].astype(object), strict=True)],
            dtype=object)
        parts.append((differs, words))
    why = np.full(n, "", dtype=object)
    for flags, word in parts:
        text = word if isinstance(word, np.ndarray) else np.full(n, word, dtype=object)
        joined = np.where(why == "", text, why + "; " + text)
        why = np.where(flags, joined, why)
    card = why != ""
    if EVERY in chosen:
        card = np.ones(n, dtype=bool)
    return pd.DataFrame({"beyond_tolerance": beyond, "worsening": worsening,
                         "reported_differs": differs, "card": card, "why": why},
                        index=scored.index)
