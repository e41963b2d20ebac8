"""Returns collection: the calendar from the register, ``xlperf returns`` and ``xlperf chase``.

The demo council for Q3 2013/14 (the quarter ends on Tuesday 31 December 2013; 1 January 2014
is a bank holiday, so ten working days later is Wednesday 15 January, not the 14th), with one
return deleted, one sent back blank and one late. Chasers are parsed back with ``email``, and
``--send`` talks to a real SMTP server on 127.0.0.1 (aiosmtpd).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pandas as pd
import pytest
from _workbook_helpers import demo_workbooks
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from xlperf.cli import app
from xlperf.core.collection import (
    add_working_days,
    bank_holidays,
    collection_calendar,
    is_email,
    planned_returns,
    working_days_between,
)
from xlperf.read.master import read_master

PERIOD = "Q3 2013/14"
DUE = date(2014, 1, 15)
TODAY = date(2014, 1, 22)  # Wednesday: 5 working days after the due date
runner = CliRunner()

CONTACTS = [
    ("Education and Skills", "Dave Perrett", "dave.perrett@dos.gov.uk", None),
    ("Children in Care", "Pauline Sharratt", "pauline.sharratt@dos.gov.uk", None),
    ("Safeguarding", "Pauline Sharratt", "pauline.sharratt@dos.gov.uk", None),
    ("Early Help", "Jo Hardy", "jo.hardy@dos.gov.uk", 15),
    ("Workforce", "Sam Booth", "sam.booth(at)dos.gov.uk", None),  # REG-070: nobody chased
    ("Business Support", "Chris Walker", "chris.walker@dos.gov.uk", None),
    ("Chris Walker", "Chris Walker", "chris.walker@dos.gov.uk", None),
    ("Housing", "Nobody", "nobody@dos.gov.uk", None),  # REG-071: no such return
    ("Jo Hardy", "Jo Hardy", "jo.hardy@dos.gov.uk", "ten"),  # REG-072: the default stands
]


def _add_collection_sheets(master: Path, smtp_port: int = 2525, per_minute: int = 60_000
                           ) -> None:
    """The Contacts sheet and the collection settings, filled in as a council would (a new
    master has both: the sheet's headers and a Settings row for each)."""
    wb = load_workbook(master)
    ws = wb["Contacts"]
    assert [c.value for c in ws[1]] == ["Return for", "Contact", "E-mail", "Working days"]
    for r, row in enumerate(CONTACTS, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    settings = wb["Settings"]
    rows = {settings.cell(r, 1).value: r for r in range(2, settings.max_row + 1)}
    for label, value in (("Return due (working days)", 10), ("SMTP host", "127.0.0.1"),
                         ("SMTP port", smtp_port), ("SMTP STARTTLS", "No"),
                         ("Chaser from", "performance@dos.gov.uk"),
                         ("Chasers per minute", per_minute)):
        settings.cell(rows[label], 2, value)
    wb.save(master)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("collection")
    demo_workbooks(folder, period=PERIOD)
    _add_collection_sheets(folder / "master.xlsx")
    return folder


def _stamp(path: Path, day: date) -> None:
    moment = datetime(day.year, day.month, day.day, 10, 30).timestamp()
    os.utime(path, (moment, moment))


@pytest.fixture
def council(pristine: Path, tmp_path: Path) -> Path:
    """The demo with Early Help's return missing, Workforce's blank and Safeguarding's late;
    the rest in on 10 January."""
    folder = tmp_path / "council"
    shutil.copytree(pristine, folder)
    returns = folder / "returns"
    (returns / "Early Help - Q3 2013-14.xlsx").unlink()
    shutil.copy(folder / "templates" / "Workforce - Q3 2013-14.xlsx",
                returns / "Workforce - Q3 2013-14.xlsx")
    for path in returns.iterdir():
        _stamp(path, date(2014, 1, 10))
    _stamp(returns / "Safeguarding - Q3 2013-14.xlsx", date(2014, 1, 20))  # Mon: 3 days late
    return folder


def _json(args: list[str]) -> tuple[int, dict]:
    result = runner.invoke(app, args)
    return result.exit_code, json.loads(result.stdout)


# ------------------------------------------------------------------------------ working days
def test_due_dates_skip_weekends_and_the_bank_holidays_of_england_and_wales():
    # 31 Dec 2013 (Tue) + 10: 1 Jan is a bank holiday -> Wed 15 Jan, not Tue 14 Jan.
    assert add_working_days(date(2013, 12, 31), 10) == date(2014, 1, 15)
    # 31 Mar 2013 is a Sunday; Easter Monday 1 April is skipped: the 10th day is 15 April.
    assert add_working_days(date(2013, 3, 31), 10) == date(2013, 4, 15)
    # 31 Mar 2014 (Mon) + 15: Good Friday 18 and Easter Monday 21 April skipped -> 23 April.
    assert add_working_days(date(2014, 3, 31), 15) == date(2014, 4, 23)
    # Christmas: 20 Dec 2013 (Fri) + 3 -> Mon 23, Tue 24, (25, 26 holidays) Fri 27.
    assert add_working_days(date(2013, 12, 20), 3) == date(2013, 12, 27)
    assert add_working_days(date(2013, 12, 31), 0) == date(2013, 12, 31)
    assert working_days_between(DUE, TODAY) == 5
    assert working_days_between(DUE, DUE) == 0 and working_days_between(TODAY, DUE) == 0
    holidays = bank_holidays(2022, 2023)  # the one-off ones come from the kept calendar
    assert holidays[date(2022, 9, 19)].startswith("State Funeral")
    assert date(2023, 5, 8) in holidays  # the coronation


def test_the_bank_holidays_are_the_packages_own_loading_one_country_only():
    # The calendar loads the holidays package's United Kingdom module alone (not the 250
    # countries holidays.country_holidays imports first): the same days and names as the
    # package's documented call, in a fresh process that loads no other country.
    code = ("import json, sys\n"
            "from xlperf.core.collection import bank_holidays\n"
            "days = bank_holidays(1995, 2035)\n"
            "others = sorted(m for m in sys.modules if m.startswith('holidays.countries'))\n"
            "import holidays\n"
            "theirs = holidays.country_holidays('GB', subdiv='ENG', years=range(1995, 2036))\n"
            "print(json.dumps([others, len(days), {d.isoformat(): n for d, n in days.items()}"
            " == {d.isoformat(): n for d, n in theirs.items()}]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    others, count, same = json.loads(out.stdout)
    assert others == [] and same
    assert count > 41 * 8  # at least eight bank holidays a year


def test_a_holidays_package_laid_out_otherwise_still_gives_the_bank_holidays(monkeypatch,
                                                                             tmp_path):
    import holidays

    from xlperf.core.collection import _united_kingdom

    expected = dict(holidays.country_holidays("GB", subdiv="ENG", years=range(2013, 2015)))
    # No countries/united_kingdom.py where the calendar looks: the package's own call answers.
    monkeypatch.setattr(holidays, "__file__", str(tmp_path / "__init__.py"))
    calendar = _united_kingdom.__wrapped__()
    assert dict(calendar(subdiv="ENG", years=range(2013, 2015))) == expected
    assert date(2013, 12, 26) in expected



@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 12, 31)),
       st.integers(min_value=1, max_value=40))
def test_the_due_date_is_the_nth_working_day_after_the_end(end: date, days: int):
    holidays = bank_holidays(end.year, end.year + 1)
    due = add_working_days(end, days)
    assert due.weekday() < 5 and due not in holidays
    # Counted one day at a time: exactly `days` working days in (end, due].
    counted = sum(1 for n in range(1, (due - end).days + 1)
                  if (d := end + timedelta(n)).weekday() < 5 and d not in holidays)
    assert counted == days
    assert working_days_between(end, due) == days


def test_is_email():
    assert is_email("jo.hardy@dos.gov.uk") and is_email("o'neil+returns@council.gov.uk")
    for bad in ("sam.booth(at)dos.gov.uk", "jo@dos", "jo hardy@dos.gov.uk", "", None,
                "a@b.uk;c@d.uk", "=HYPERLINK(\"mailto:x@y.uk\")", "jo@@dos.gov.uk",
                "jo..hardy@dos.gov.uk", 42):
        assert not is_email(bad), bad


# ------------------------------------------------------------------------------ the calendar
def test_the_calendar_expects_exactly_the_templates_that_were_made(pristine: Path):
    book = read_master(pristine / "master.xlsx")
    plan = planned_returns(book.usable_register, book.budget, book.capital, PERIOD)
    made = sorted(p.name for p in (pristine / "templates").iterdir())
    assert sorted(p.file_name for p in plan) == made and len(made) == 9
    # A mid-quarter month asks nothing of a service whose measures are all quarterly.
    register = book.usable_register.copy()
    quarterly = register["Service"] == "Safeguarding"
    register.loc[quarterly, "Frequency"] = "Quarterly"
    monthly = planned_returns(register, book.budget, book.capital, "Nov-13")
    services = [p.who for p in monthly if p.kind == "performance"]
    assert "Safeguarding" not in services and len(services) == 5
    assert "Safeguarding" in [p.who for p in planned_returns(register, None, None, "Dec-13")]


def test_the_calendar_gives_due_dates_and_contacts(pristine: Path):
    book = read_master(pristine / "master.xlsx")
    calendar = {r.who: r for r in collection_calendar(
        book.usable_register, book.budget, book.capital, PERIOD, contacts=book.contacts)}
    assert calendar["Safeguarding"].due == DUE and calendar["Safeguarding"].working_days == 10
    # Early Help's own 15 working days: 2..3, 6..10, 13..17, 20, 21 January.
    assert calendar["Early Help"].due == date(2014, 1, 22)
    assert calendar["Jo Hardy"].due == DUE  # 'ten' is not a number: the default stands
    assert [c.email for c in calendar["Chris Walker"].contacts] == ["chris.walker@dos.gov.uk"]
    assert calendar["Workforce"].contacts == ()  # its only address is not one
    assert calendar["Pauline Sharratt"].contacts == ()  # no row, no Budget e-mail column


def test_owners_and_holders_e_mail_columns_are_the_contacts_without_a_contacts_sheet():
    register = pd.DataFrame({
        "Code": ["A1", "A2", "B1"], "Service": ["Care", "Care", "Help"],
        "Owner": ["Pat Hill", "Lee Ray", "Kim Ng"], "Polarity": ["Bigger is better"] * 3,
        "Frequency": ["Quarterly"] * 3,
        "Owner e-mail": ["pat.hill@c.gov.uk", "lee.ray@c.gov.uk", "kim at c.gov.uk"]})
    budget = pd.DataFrame({"Service area": ["Care", "Total"], "Budget holder": ["Pat Hill", ""],
                           "Holder e-mail": ["pat.hill@c.gov.uk", ""], "Net budget": [1, 1]})
    calendar = {r.who: r for r in collection_calendar(register, budget, None, PERIOD)}
    assert [(c.name, c.email) for c in calendar["Care"].contacts] == [
        ("Pat Hill", "pat.hill@c.gov.uk"), ("Lee Ray", "lee.ray@c.gov.uk")]
    assert calendar["Help"].contacts == ()
    assert [c.email for c in calendar["Pat Hill"].contacts] == ["pat.hill@c.gov.uk"]
    assert calendar["Care"].due == DUE


def test_bad_addresses_and_contacts_are_reg_findings_that_block_nothing(pristine: Path,
                                                                         tmp_path: Path):
    from xlperf.write.master import build_master
    from xlperf.write.templates import build_templates

    book = read_master(pristine / "master.xlsx")
    found = {(f.rule, f.sheet, f.cell): f for f in book.report.findings}
    assert ("REG-070", "Contacts", "C6") in found and "sam.booth(at)dos.gov.uk" in found[
        ("REG-070", "Contacts", "C6")].message
    assert ("REG-071", "Contacts", "A9") in found and "'Housing'" in found[
        ("REG-071", "Contacts", "A9")].message
    assert ("REG-072", "Contacts", "D10") in found
    assert all(f.severity == "query" for f in book.report.findings)
    assert book.report.valid and len(build_templates(book, PERIOD, tmp_path / "t")) == 9
    # An e-mail column on Measures: the measure stays in the register (a query, not an error).
    register = pd.DataFrame({"Code": ["A1", "A2"], "Service": ["Care", "Care"],
                             "Polarity": ["Bigger is better"] * 2,
                             "Owner e-mail": ["pat@c.gov.uk", "pat@c"]})
    master = build_master(tmp_path / "m.xlsx", register=register,
                          settings={"Reporting period": PERIOD, "SMTP port": "lots",
                                    "Chaser from": "not an address",
                                    "Return due (working days)": 2.5})
    read = read_master(master)
    rules = sorted((f.rule, f.sheet, f.cell or "") for f in read.report.findings)
    assert ("REG-070", "Measures", "V3") in rules, rules
    assert len(read.usable_register) == 2
    settings_problems = [f for f in read.report.findings if f.rule == "REG-040"]
    assert len(settings_problems) == 3
    assert read.settings.smtp_port == 587 and read.settings.due_working_days == 10
    assert read.settings.chaser_from == ""


# ------------------------------------------------------------------------------ xlperf returns
def test_returns_lists_the_missing_the_blank_and_the_late(council: Path):
    code, doc = _json(["returns", str(council / "master.xlsx"), "--today", TODAY.isoformat(),
                       "--json"])
    assert code == 1 and doc["command"] == "returns" and doc["schema_version"] == 1
    assert doc["period"] == PERIOD and not doc["complete"]
    rows = {r["return_for"]: r for r in doc["returns"]}
    assert len(rows) == 9 and all(r["due"] == DUE.isoformat() for r in rows.values()
                                  if r["return_for"] != "Early Help")
    missing = rows["Early Help"]
    assert (missing["outcome"], missing["received"], missing["file"]) == (
        "not received", False, None)
    assert missing["due"] == "2014-01-22" and missing["days_overdue"] == 0  # due today
    blank = rows["Workforce"]
    assert blank["outcome"] == "blank" and blank["days_overdue"] == 5
    assert [f["rule"] for f in blank["findings"]] == ["FILE-021"]
    late = rows["Safeguarding"]
    assert late["outcome"] == "accepted" and late["days_overdue"] == 3
    assert late["received_at"].startswith("2014-01-20T10:30")
    sent = council / "returns" / "Safeguarding - Q3 2013-14.xlsx"
    assert late["sha256"] == hashlib.sha256(sent.read_bytes()).hexdigest()
    assert rows["Education and Skills"]["outcome"] == "partly accepted"
    assert rows["Education and Skills"]["errors"] == 1
    assert rows["Chris Walker"]["outcome"] == "rejected"
    assert rows["Chris Walker"]["days_overdue"] == 5  # still owed: overdue as of today
    on_time = [r for r in rows.values() if r["outcome"] == "accepted"
               and r["return_for"] != "Safeguarding"]
    assert on_time and all(r["days_overdue"] == 0 for r in on_time)
    assert {f["rule"] for f in doc["master_findings"]} == {"REG-070", "REG-071", "REG-072"}
    # The table says the same.
    result = runner.invoke(app, ["returns", str(council / "master.xlsx"), "--today",
                                 TODAY.isoformat()])
    assert result.exit_code == 1
    assert "9 returns expected: 8 received, 1 not received, 1 blank, 1 rejected" in \
        result.stdout
    assert "3 (late)" in result.stdout and "REG-070" in result.stderr


def test_the_ledger_says_when_a_refresh_first_read_a_return(council: Path):
    from xlperf.refresh import ZipWorkbook, refresh

    refresh(ZipWorkbook(council / "master.xlsx"))
    _code, doc = _json(["returns", str(council / "master.xlsx"), "--today", TODAY.isoformat(),
                        "--json"])
    rows = {r["return_for"]: r for r in doc["returns"]}
    assert rows["Safeguarding"]["refreshed_at"] is not None
    assert rows["Early Help"]["refreshed_at"] is None


def test_nothing_is_overdue_when_everything_came_in_on_time(pristine: Path, tmp_path: Path):
    folder = tmp_path / "all"
    shutil.copytree(pristine, folder)
    for path in (folder / "returns").iterdir():
        _stamp(path, date(2014, 1, 2))
    code, doc = _json(["returns", str(folder / "master.xlsx"), "--today", "2014-01-03",
                       "--json"])
    assert all(r["received"] for r in doc["returns"])
    assert all(r["days_overdue"] == 0 for r in doc["returns"])
    assert code == 1 and not doc["complete"]  # two returns still have errors to fix
    assert sum(r["errors"] for r in doc["returns"]) == 2


# ------------------------------------------------------------------------------ xlperf chase
def _parse(path: Path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_chase_writes_one_message_per_contact_with_their_cells_and_annotated_copies(
        council: Path, tmp_path: Path):
    out = tmp_path / "chasers"
    code, doc = _json(["chase", str(council / "master.xlsx"), "--today", TODAY.isoformat(),
                       "--out", str(out), "--json"])
    assert code == 0 and doc["command"] == "chase" and not doc["sent"]
    by_to = {c["to"]: c for c in doc["chasers"]}
    # Everybody with something outstanding and an address; Workforce's blank has no address.
    assert sorted(by_to) == ["chris.walker@dos.gov.uk", "dave.perrett@dos.gov.uk",
                             "jo.hardy@dos.gov.uk", "pauline.sharratt@dos.gov.uk"]
    assert sorted(p.name for p in out.glob("*.eml")) == sorted(f"{a}.eml" for a in by_to)

    dave = _parse(out / "dave.perrett@dos.gov.uk.eml")
    assert dave["To"] == "Dave Perrett <dave.perrett@dos.gov.uk>"
    assert dave["From"] == "performance@dos.gov.uk"
    assert dave["Subject"] == f"{PERIOD} returns: 3 items to action (Doncaster-on-Sea Council)"
    plain = dave.get_body(("plain",)).get_content()
    html = dave.get_body(("html",)).get_content()
    from xlperf.validate.returns import validate_return

    sent = council / "returns" / "Education and Skills - Q3 2013-14.xlsx"
    report = validate_return(sent, council / "master.xlsx", period=PERIOD)
    assert len(report.findings) == 3
    for finding in report.findings:  # each pinned to its cell, in the validator's words
        assert f"{finding.sheet}!{finding.cell} {finding.rule}: {finding.message}" in plain
        assert f"<td>{finding.sheet}!{finding.cell}</td>" in html
    attachments = list(dave.iter_attachments())
    assert [a.get_filename() for a in attachments] == [sent.name]
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(attachments[0].get_content())
    wb = load_workbook(copy)
    assert wb.sheetnames[0] == "Issues"
    from xlperf.validate.annotate import ISSUES_HEADER_ROW

    cells = {row[4] for row in wb["Issues"].iter_rows(min_row=ISSUES_HEADER_ROW + 1,
                                                       values_only=True)}
    assert cells == {f.cell for f in report.findings}

    jo = _parse(out / "jo.hardy@dos.gov.uk.eml")
    body = jo.get_body(("plain",)).get_content()
    assert "Early Help - Q3 2013-14.xlsx" in body  # due today, not received
    assert "was due on 22 January 2014 and has not been received (due today)" in body
    assert list(jo.iter_attachments()) == []
    chris = by_to["chris.walker@dos.gov.uk"]
    assert {i["what"] for i in chris["items"]} >= {"rejected", "error"}
    assert any(i["rule"] == "FIN-004" and i["cell"] == "F13" for i in chris["items"])


def test_a_return_not_yet_due_is_not_chased(council: Path, tmp_path: Path):
    # Early Help is due on the 22nd; Jo Hardy's finance return came in clean: nothing for Jo.
    _code, doc = _json(["chase", str(council / "master.xlsx"), "--today", "2014-01-21",
                        "--out", str(tmp_path / "c"), "--json"])
    assert "jo.hardy@dos.gov.uk" not in {c["to"] for c in doc["chasers"]}
    assert len(doc["chasers"]) == 3


# ------------------------------------------------------------------------------ --send
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """A real SMTP server on loopback that can refuse an address or drop the connection."""

    def __init__(self, refuse: str | None = None, drop_at: int | None = None):
        self.refuse, self.drop_at = refuse, drop_at
        self.delivered: list[tuple[list[str], bytes]] = []
        self.port = _free_port()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and address.casefold() == self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_at is not None and len(self.delivered) + 1 >= self.drop_at:
            server.transport.close()  # gone before it says the message was taken
            return "421 closing"
        self.delivered.append((list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def __enter__(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _with_port(council: Path, port: int) -> Path:
    wb = load_workbook(council / "master.xlsx")
    for row in wb["Settings"].iter_rows(min_row=2):
        if row[0].value == "SMTP port":
            row[1].value = port
    wb.save(council / "master.xlsx")
    return council / "master.xlsx"


def _sent_rows(council: Path) -> list[tuple]:
    with sqlite3.connect(council / "master.ledger.sqlite") as con:
        return con.execute("SELECT recipient, subject, items FROM chasers ORDER BY id").fetchall()


def test_send_delivers_records_and_does_not_repeat_the_same_day(council: Path, tmp_path: Path):
    with _Server() as server:
        master = _with_port(council, server.port)
        args = ["chase", str(master), "--today", TODAY.isoformat(), "--out",
                str(tmp_path / "c"), "--send", "--json"]
        code, doc = _json(args)
        assert code == 0, doc
        assert all(c["outcome"] == "sent" for c in doc["chasers"]) and len(doc["chasers"]) == 4
        assert sorted(r[0][0] for r in server.delivered) == sorted(c["to"]
                                                                   for c in doc["chasers"])
        parsed = BytesParser(policy=policy.default).parsebytes(server.delivered[0][1])
        assert parsed["Subject"].startswith(f"{PERIOD} returns:")
        rows = _sent_rows(council)
        assert sorted(r[0] for r in rows) == sorted(c["to"] for c in doc["chasers"])
        dave = next(r for r in rows if r[0] == "dave.perrett@dos.gov.uk")
        listed = next(c["items"] for c in doc["chasers"] if c["to"] == dave[0])
        assert json.loads(dave[2]) == listed and len(listed) == 3  # what it listed
        # The same day again: nothing sent, nothing recorded twice.
        code, again = _json(args)
        assert code == 0 and {c["outcome"] for c in again["chasers"]} == {"already sent today"}
        assert len(server.delivered) == 4 and len(_sent_rows(council)) == 4
        code, forced = _json([*args, "--again"])
        assert code == 0 and len(server.delivered) == 8 and len(_sent_rows(council)) == 8


def test_a_refused_recipient_is_not_recorded_and_the_batch_goes_on(council: Path,
                                                                   tmp_path: Path):
    with _Server(refuse="jo.hardy@dos.gov.uk") as server:
        master = _with_port(council, server.port)
        code, doc = _json(["chase", str(master), "--today", TODAY.isoformat(), "--out",
                           str(tmp_path / "c"), "--send", "--json"])
    assert code == 1
    outcomes = {c["to"]: c["outcome"] for c in doc["chasers"]}
    assert outcomes.pop("jo.hardy@dos.gov.uk") == "refused"
    assert set(outcomes.values()) == {"sent"}
    assert sorted(r[0] for r in _sent_rows(council)) == sorted(outcomes)
    assert sorted(r[0][0] for r in server.delivered) == sorted(outcomes)


def test_a_dropped_connection_records_only_what_was_sent(council: Path, tmp_path: Path):
    with _Server(drop_at=2) as server:
        master = _with_port(council, server.port)
        code, doc = _json(["chase", str(master), "--today", TODAY.isoformat(), "--out",
                           str(tmp_path / "c"), "--send", "--json"])
    assert code == 1
    outcomes = [c["outcome"] for c in doc["chasers"]]
    assert outcomes == ["sent", "not sent", "not sent", "not sent"], doc["chasers"]
    assert len(server.delivered) == 1
    assert [r[0] for r in _sent_rows(council)] == [doc["chasers"][0]["to"]]


def test_never_sends_to_an_address_that_is_not_in_the_register(council: Path, tmp_path: Path):
    from dataclasses import replace

    from xlperf.chasers import build_chasers, send_chasers
    from xlperf.collection import collection_status
    from xlperf.core.collection import Contact

    with _Server() as server:
        master = _with_port(council, server.port)
        status = collection_status(master, today=TODAY)
        chasers = build_chasers(status, sender="performance@dos.gov.uk")
        stranger = replace(chasers[0], to=Contact("Someone", "someone@elsewhere.example"))
        outcomes = send_chasers([stranger], status=status, ledger=status.ledger,
                                host="127.0.0.1", port=server.port, starttls=False,
                                sender="performance@dos.gov.uk")
    assert [(o.outcome, o.detail) for o in outcomes] == [
        ("refused", "the address is not in the register")]
    assert server.delivered == [] and _sent_rows(council) == []


def test_send_without_a_reachable_server_does_nothing(council: Path, tmp_path: Path):
    master = _with_port(council, _free_port())  # nobody listens there
    result = runner.invoke(app, ["chase", str(master), "--today", TODAY.isoformat(), "--out",
                                 str(tmp_path / "c"), "--send"])
    assert result.exit_code == 3 and "cannot reach the mail server" in result.stderr
    assert not (council / "master.ledger.sqlite").exists() or _sent_rows(council) == []


def test_the_newest_file_for_a_return_wins_and_strangers_are_named(council: Path):
    returns = council / "returns"
    first = returns / "Safeguarding - Q3 2013-14.xlsx"
    again = returns / "Safeguarding v2.xlsx"  # resubmitted under another name: same identity
    shutil.copy(first, again)
    _stamp(again, date(2014, 1, 21))
    (returns / "notes.xlsx").write_bytes(b"PK not really a workbook")  # no xlperf identity
    code, doc = _json(["returns", str(council / "master.xlsx"), "--today", TODAY.isoformat(),
                       "--json"])
    safeguarding = next(r for r in doc["returns"] if r["return_for"] == "Safeguarding")
    assert Path(safeguarding["file"]).name == "Safeguarding v2.xlsx"
    assert [Path(p).name for p in safeguarding["superseded"]] == [first.name]
    assert safeguarding["days_overdue"] == 4 and safeguarding["received_at"].startswith(
        "2014-01-21")
    assert [Path(r["file"]).name for r in doc["unexpected"]] == ["notes.xlsx"]
    result = runner.invoke(app, ["returns", str(council / "master.xlsx"), "--today",
                                 TODAY.isoformat()])
    assert "notes.xlsx: not a return this period expects" in result.stderr


def test_no_password_goes_to_a_mail_server_without_starttls(council: Path):
    from xlperf.chasers import build_chasers, send_chasers
    from xlperf.collection import collection_status
    from xlperf.errors import InputError

    status = collection_status(council / "master.xlsx", today=TODAY)
    chasers = build_chasers(status, sender="performance@dos.gov.uk")
    with pytest.raises(InputError) as raised:
        send_chasers(chasers, status=status, ledger=status.ledger, host="mail.dos.gov.uk",
                     port=25, starttls=False, sender="performance@dos.gov.uk", user="perf",
                     password="secret")
    assert "unencrypted" in str(raised.value)
    assert not status.ledger.exists() or _sent_rows(council) == []


def test_sending_keeps_to_the_rate_on_one_connection(council: Path):
    from xlperf.chasers import build_chasers, send_chasers
    from xlperf.collection import collection_status

    waits: list[float] = []
    with _Server() as server:
        master = _with_port(council, server.port)
        status = collection_status(master, today=TODAY)
        chasers = build_chasers(status, sender="performance@dos.gov.uk")
        outcomes = send_chasers(chasers, status=status, ledger=status.ledger,
                                host="127.0.0.1", port=server.port, starttls=False,
                                sender="performance@dos.gov.uk", per_minute=120,
                                sleep=waits.append)
    assert [o.outcome for o in outcomes] == ["sent"] * 4
    assert waits == [0.5, 0.5, 0.5]  # 120 a minute: half a second between messages
    assert len(server.delivered) == 4


def test_each_template_prints_its_calendar_due_date(pristine: Path):
    """The templates' "Return by" cell is the calendar's due date (the demo's were made
    with the default 10 working days: 1 January skipped), not the Return deadline's words."""
    from xlperf.collection import expected_returns
    from xlperf.core.periods import parse_period

    master = read_master(pristine / "templates" / ".." / "master.xlsx")
    calendar = {e.file_name: e for e in expected_returns(master, parse_period(PERIOD))[0]}
    seen = 0
    for path in sorted((pristine / "templates").glob("*.xlsx")):
        ws = load_workbook(path).worksheets[0]
        assert ws["A4"].value == "Return by"
        if path.name in calendar and calendar[path.name].working_days == 10:
            assert ws["B4"].value == "Wednesday 15 January 2014"
            seen += 1
    assert seen >= 5
