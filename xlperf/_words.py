"""Words for counts, shared by every door that tells a person what happened."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["plural", "refresh_counts"]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``count`` with its noun in the right number.

    >>> plural(1, "error"), plural(2, "query", "queries"), plural(0, "cell")
    ('1 error', '2 queries', '0 cells')
    """
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count:,} {word}"


def refresh_counts(counts: Mapping[str, int], *, not_received: Sequence[str] = (),
                   blank: Sequence[str] = ()) -> str:
    """What a refresh did, in one clause: the Log, the task pane, the Excel button and the
    command line all say it in these words. ``not_received`` and ``blank``: who the returns
    the period expects but that did not come in (or came back blank) are for
    (:attr:`xlperf.refresh.RefreshResult.not_received`), named at the end.

    >>> refresh_counts({"returns": 1, "accepted": 0, "rejected": 1, "skipped": 0,
    ...                 "recorded": 1, "unchanged": 0, "restatements": 0, "re-rated": 0,
    ...                 "measures": 53})  # doctest: +NORMALIZE_WHITESPACE
    '1 return read (0 accepted, 1 with rejected rows, 0 skipped), 1 value recorded,
    0 unchanged, 0 restatements, 0 statuses re-rated, 53 measures scored'
    >>> refresh_counts({"returns": 7}, not_received=["Early Help"], blank=["Workforce"])[-71:]
    'scored; 1 return not received: Early Help; 1 sent back blank: Workforce'
    """
    c = {key: int(counts.get(key, 0) or 0) for key in (
        "returns", "accepted", "rejected", "skipped", "recorded", "unchanged", "restatements",
        "re-rated", "measures")}
    return (f"{plural(c['returns'], 'return')} read ({c['accepted']} accepted, "
            f"{c['rejected']} with rejected rows, {c['skipped']} skipped), "
            f"{plural(c['recorded'], 'value')} recorded, {c['unchanged']} unchanged, "
            f"{plural(c['restatements'], 'restatement')}, "
            f"{plural(c['re-rated'], 'status', 'statuses')} re-rated, "
            f"{plural(c['measures'], 'measure')} scored"
            + (f"; {plural(len(not_received), 'return')} not received: "
               f"{', '.join(not_received)}" if not_received else "")
            + (f"; {len(blank):,} sent back blank: {', '.join(blank)}" if blank else "")
            + (f"; {plural(explained, 'query', 'queries')} explained by earlier responses"
               if (explained := int(counts.get("explained", 0) or 0)) else ""))
