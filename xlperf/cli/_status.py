"""``xlperf status`` without typer: the one-measure rule and a parser for its plain command
lines, so the command starts in a fraction of the time typer (which loads pydantic) takes.

:func:`main <xlperf.cli.main>` tries :func:`fast_status` first. It handles only command lines
it understands exactly (global ``-q``/``-v``, then ``status`` with three arguments and its four
options, each once); for anything else (``--help``, an unknown option, a value it is unsure
of, an input the rule rejects) it answers ``None`` and the typer app runs, so help, error
messages and exit codes are typer's own. The typer command prints :func:`status_text` too, so
both paths print the same bytes (``tests/test_cli_status_fast.py`` compares them).
"""

from __future__ import annotations

import json
import re
import sys

__all__ = ["JSON_SCHEMA_VERSION", "fast_status", "global_flags", "json_document",
           "status_text"]

#: The version of every ``--json`` document's layout; raised when a field changes meaning or
#: goes away (adding a field keeps it).
JSON_SCHEMA_VERSION = 1

_GLOBAL = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose"}
_VALUED = {"--tolerance": "tolerance", "--tolerance-type": "tolerance_type",
           "--scheme": "scheme"}
# A tolerance as people type it; anything else (signs, "1e3", "nan", "1_000") goes to typer,
# whose conversion is the reference.
_PLAIN_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+")


def json_document(command: str, payload: dict[str, object]) -> str:
    """One ``--json`` document: ``schema_version`` and ``command`` first, then ``payload``;
    NaN and infinities become ``null`` (they are not JSON).

    >>> json_document("status", {"status": "Red", "gap": float("nan")})
    '{"schema_version": 1, "command": "status", "status": "Red", "gap": null}'
    """
    from xlperf._json import json_safe

    document = {"schema_version": JSON_SCHEMA_VERSION, "command": command, **payload}
    return json.dumps(json_safe(document), ensure_ascii=False, allow_nan=False)


def status_text(actual: str, target: str, polarity: str, tolerance: float = 0,
                tolerance_type: str = "absolute", scheme: str = "rag",
                as_json: bool = False) -> str:
    """What ``xlperf status`` prints: the explanation, or its ``--json`` document. Raises
    :class:`~xlperf.errors.XlperfError` for an input the rule rejects.

    >>> status_text("91.54", "45.3", "Smaller is better", 2)
    '91.54 against target 45.3, smaller is better: 46.24 worse than target, beyond the \
tolerance of 2: Red'
    """
    # One measure in plain Python (no numpy or pandas to load): the rule of xlperf.status.
    from xlperf.core.status import explain_one, rated_one

    rated = rated_one(actual, target, polarity, tolerance, tolerance_type, scheme)
    explanation = explain_one(rated)
    if not as_json:
        return explanation
    look = rated.look
    return json_document("status", {"status": look.label, "symbol": look.symbol,
                                    "colour": look.colour, "gap": rated.gap,
                                    "explanation": explanation})


def global_flags(argv: list[str]) -> tuple[set[str], int] | None:
    """The global options a plain command line starts with (``quiet``, ``verbose``) and the
    index of its command; None for a repeated one (typer's to read).

    >>> flags, command = global_flags(["-q", "--verbose", "refresh", "m.xlsx"])
    >>> sorted(flags), command
    (['quiet', 'verbose'], 2)
    """
    flags: set[str] = set()
    i = 0
    while i < len(argv) and argv[i] in _GLOBAL:
        if _GLOBAL[argv[i]] in flags:
            return None
        flags.add(_GLOBAL[argv[i]])
        i += 1
    return flags, i


def _parse(argv: list[str]) -> tuple[bool, list[str], dict[str, str], bool] | None:
    """``(quiet, arguments, options, as_json)`` of a plain ``status`` command line, or None."""
    found = global_flags(argv)
    if found is None:
        return None
    flags, i = found
    if i >= len(argv) or argv[i] != "status":
        return None
    arguments: list[str] = []
    options: dict[str, str] = {}
    as_json = False
    rest = argv[i + 1:]
    j = 0
    while j < len(rest):
        token = rest[j]
        if token.startswith("-") and token != "-":
            if token == "--json" and not as_json:
                as_json = True
            elif token in _VALUED and _VALUED[token] not in options and j + 1 < len(rest) \
                    and not rest[j + 1].startswith("-"):
                options[_VALUED[token]] = rest[j + 1]
                j += 1
            else:  # --help, --opt=value, a repeat, an unknown option: typer says what it is
                return None
        else:
            arguments.append(token)
        j += 1
    if len(arguments) != 3:
        return None
    if "tolerance" in options and not _PLAIN_NUMBER.fullmatch(options["tolerance"]):
        return None
    return "quiet" in flags, arguments, options, as_json


def fast_status(argv: list[str]) -> int | None:
    """Run ``xlperf status`` for a plain command line without typer and answer its exit code,
    or ``None`` where the typer app must run instead (it then says what is wrong, in its
    words).

    >>> fast_status(["status", "--help"]) is None
    True
    """
    parsed = _parse(argv)
    if parsed is None:
        return None
    quiet, (actual, target, polarity), options, as_json = parsed
    try:
        text = status_text(actual, target, polarity,
                           float(options.get("tolerance", 0)),
                           options.get("tolerance_type", "absolute"),
                           options.get("scheme", "rag"), as_json)
    except Exception:  # typer's path says what it is, with its exit code: a rejected input
        return None    # is a usage error (2), anything else a bug (4)
    if as_json or not quiet:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    return 0
