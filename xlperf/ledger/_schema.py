"""The ledger's tables, and the migrations that bring an older ledger file up to date.

Every statement is ``CREATE ... IF NOT EXISTS``, so opening a ledger is safe to repeat. The
``schema_version`` table records each migration applied; :data:`MIGRATIONS` is an ordered list
and a future change appends a step (never edits an old one).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlperf.ledger._connection import _Connection

SCHEMA_VERSION = 6

_V1 = """
CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    applied_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS refreshes (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL DEFAULT 'refresh',       -- 'refresh' or 'import-history'
    started_at   TEXT NOT NULL,                         -- UTC ISO 8601
    finished_at  TEXT,
    master       TEXT,
    period       TEXT,                                  -- reporting period as written
    period_key   TEXT,                                  -- its machine key
    counts       TEXT NOT NULL DEFAULT '{}',            -- JSON object
    timings      TEXT NOT NULL DEFAULT '{}',            -- JSON object, seconds
    note         TEXT
);

CREATE TABLE IF NOT EXISTS refresh_files (
    refresh_id  INTEGER NOT NULL REFERENCES refreshes(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    sha256      TEXT,
    accepted    INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    findings    INTEGER NOT NULL DEFAULT 0,
    note        TEXT
);

CREATE TABLE IF NOT EXISTS "values" (
    id              INTEGER PRIMARY KEY,               -- insertion order: the highest id wins
    code            TEXT NOT NULL,
    period_key      TEXT NOT NULL,
    period          TEXT NOT NULL,
    value           REAL,
    no_data_reason  TEXT,
    numerator       REAL,
    denominator     REAL,
    commentary      TEXT,
    reported_status TEXT,
    source_file     TEXT,
    source_sha256   TEXT,
    sheet           TEXT,
    cell            TEXT,
    recorded_at     TEXT NOT NULL,
    refresh_id      INTEGER REFERENCES refreshes(id),
    CHECK (value IS NULL OR no_data_reason IS NULL)
);
CREATE INDEX IF NOT EXISTS values_by_measure_period ON "values" (code, period_key, id);

CREATE TABLE IF NOT EXISTS statuses (
    code            TEXT NOT NULL,
    period_key      TEXT NOT NULL,
    period          TEXT NOT NULL,
    status          TEXT NOT NULL,
    symbol          TEXT,
    colour          TEXT,
    severity        INTEGER,
    rated           INTEGER,
    actual          REAL,
    actual_reason   TEXT,
    target          REAL,
    tolerance       REAL,
    tolerance_type  TEXT,
    scheme          TEXT,
    polarity        TEXT,
    variance        REAL,
    variance_pct    REAL,
    direction       TEXT,
    explanation     TEXT,
    scored_at       TEXT NOT NULL,
    refresh_id      INTEGER REFERENCES refreshes(id),
    PRIMARY KEY (code, period_key)
);

CREATE VIEW IF NOT EXISTS current_values AS
    SELECT v.* FROM "values" AS v
    WHERE v.id = (SELECT max(w.id) FROM "values" AS w
                  WHERE w.code = v.code AND w.period_key = v.period_key);
"""

# Version 2: the money figures a refresh took from finance and capital programme returns (the
# forecast outturn of a budget line; a programme's revised estimate and actual to date), so the
# committee report shows what the Finance sheet shows.
_V2 = """
CREATE TABLE IF NOT EXISTS money (
    id           INTEGER PRIMARY KEY,                   -- insertion order: the highest id wins
    kind         TEXT NOT NULL CHECK (kind IN ('revenue', 'capital')),
    line         TEXT NOT NULL,                         -- service area or programme, as named
    period_key   TEXT NOT NULL,
    period       TEXT NOT NULL,
    forecast     REAL,                                  -- revenue: forecast outturn, £000s
    estimate     REAL,                                  -- capital: revised estimate, £000s
    actual       REAL,                                  -- capital: actual to date, £000s
    explanation  TEXT,
    source_file  TEXT,
    cell         TEXT,
    recorded_at  TEXT NOT NULL,
    refresh_id   INTEGER REFERENCES refreshes(id)
);
CREATE INDEX IF NOT EXISTS money_by_period ON money (period_key, kind, line, id);
"""

# Version 3: the chasers sent (xlperf chase --send): to whom, when, what each listed, so a
# second chase the same day does not send the same reminder again.
_V3 = """
CREATE TABLE IF NOT EXISTS chasers (
    id           INTEGER PRIMARY KEY,
    sent_at      TEXT NOT NULL,                         -- UTC ISO 8601
    sent_on      TEXT NOT NULL,                         -- the sender's local date, YYYY-MM-DD
    recipient    TEXT NOT NULL,                         -- the address, as in the register
    period       TEXT,
    period_key   TEXT,
    subject      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,                         -- of recipient and items listed
    items        TEXT NOT NULL DEFAULT '[]',            -- JSON: each item listed
    message_id   TEXT
);
CREATE INDEX IF NOT EXISTS chasers_by_day ON chasers (sent_on, recipient, fingerprint);
"""

# Version 4: statistical process control frozen with each status (docs/spc.md): the variation
# and assurance the committee saw, their sentences and the limits they came from; and, when a
# restatement later moves a kept period's limits, today's icons beside them with a sentence
# saying what moved (restated_*: the frozen columns are never changed). Older rows are NULL.
_V4 = """
ALTER TABLE statuses ADD COLUMN variation TEXT;
ALTER TABLE statuses ADD COLUMN variation_side TEXT;
ALTER TABLE statuses ADD COLUMN variation_explanation TEXT;
ALTER TABLE statuses ADD COLUMN assurance TEXT;
ALTER TABLE statuses ADD COLUMN assurance_explanation TEXT;
ALTER TABLE statuses ADD COLUMN spc_mean REAL;
ALTER TABLE statuses ADD COLUMN spc_lower REAL;
ALTER TABLE statuses ADD COLUMN spc_upper REAL;
ALTER TABLE statuses ADD COLUMN spc_points INTEGER;
ALTER TABLE statuses ADD COLUMN restated_variation TEXT;
ALTER TABLE statuses ADD COLUMN restated_assurance TEXT;
ALTER TABLE statuses ADD COLUMN restated_mean REAL;
ALTER TABLE statuses ADD COLUMN restated_lower REAL;
ALTER TABLE statuses ADD COLUMN restated_upper REAL;
ALTER TABLE statuses ADD COLUMN restated_note TEXT;
"""

# Version 5: the services' responses to queries, read from the annotated copies they sent
# back (docs/collection.md): each against its query's fingerprint
# (xlperf.findings.query_fingerprint), so an answered query is not asked again while its
# figure is unchanged. Never updated: a later answer is a new row, the highest id in use.
_V5 = """
CREATE TABLE IF NOT EXISTS responses (
    id            INTEGER PRIMARY KEY,
    fingerprint   TEXT NOT NULL,                        -- rule, measure, period, figure
    rule          TEXT NOT NULL,
    code          TEXT,                                 -- the measure (or budget line)
    period        TEXT,                                 -- as the return's row says
    period_key    TEXT,
    response      TEXT NOT NULL,
    source_file   TEXT,
    source_sha256 TEXT,
    sheet         TEXT,
    cell          TEXT,
    recorded_at   TEXT NOT NULL,
    refresh_id    INTEGER REFERENCES refreshes(id)
);
CREATE INDEX IF NOT EXISTS responses_by_fingerprint ON responses (fingerprint, id);
"""

# Version 6: what services returned for their milestones and projects on their returns'
# Milestones sheet (issue 24; xlperf.ledger._activity): one row per accepted submission of a
# code for a period, never updated (a changed one is a new row, the highest id in use).
_V6 = """
CREATE TABLE IF NOT EXISTS activity (
    id            INTEGER PRIMARY KEY,                  -- insertion order: the highest id wins
    code          TEXT NOT NULL,                        -- the Milestones or Projects sheet's
    kind          TEXT NOT NULL CHECK (kind IN ('milestone', 'project')),
    period_key    TEXT NOT NULL,
    period        TEXT NOT NULL,
    progress      TEXT,                                 -- a progress word, or a project's RAG
    forecast      TEXT,                                 -- a project's forecast-variance RAG
    revised_date  TEXT,                                 -- a milestone's, YYYY-MM-DD
    commentary    TEXT NOT NULL DEFAULT '',             -- a project's status note
    service       TEXT,
    source_file   TEXT,
    source_sha256 TEXT,
    sheet         TEXT,
    cell          TEXT,
    recorded_at   TEXT NOT NULL,
    refresh_id    INTEGER REFERENCES refreshes(id)
);
CREATE INDEX IF NOT EXISTS activity_by_period ON activity (period_key, kind, code, id);
"""

# (version, script): applied in order to a ledger whose recorded version is lower.
MIGRATIONS: list[tuple[int, str]] = [(1, _V1), (2, _V2), (3, _V3), (4, _V4), (5, _V5),
                                     (6, _V6)]


def migrate(connection: sqlite3.Connection | _Connection) -> int:
    """Bring the ledger's schema up to :data:`SCHEMA_VERSION`; returns the version found
    (``connection``: the ledger's own, whose errors are sentences, or a plain one)."""
    connection.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                       "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    found = connection.execute("SELECT coalesce(max(version), 0) FROM schema_version"
                               ).fetchone()[0]
    if found > SCHEMA_VERSION:
        from xlperf.errors import XlperfError

        raise XlperfError(f"the ledger was written by a newer xlperf (schema {found}, this "
                          f"version knows up to {SCHEMA_VERSION}): upgrade xlperf")
    for version, script in MIGRATIONS:
        if version > found:
            # executescript commits first; each step is one transaction of its own.
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            try:
                connection.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\n"
                    f"INSERT OR IGNORE INTO schema_version VALUES ({version}, '{stamp}');\n"
                    "COMMIT;")
            except sqlite3.Error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
    return found
