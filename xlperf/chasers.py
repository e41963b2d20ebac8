"""Chasers: one e-mail per contact with something outstanding, in the findings' own words.

:func:`build_chasers` turns a :class:`~xlperf.collection.CollectionStatus` into messages
(standard-library :class:`email.message.EmailMessage`, a plain and an HTML body): for each
contact, every return they are asked for that is

- **not received** and due (today or earlier), or sent back **blank** or **rejected**;
- received with **errors to fix** or **queries to answer**: each finding listed with its
  sheet and cell, its rule and its message exactly as the validator wrote it,

with the annotated copy of each such return attached (:func:`xlperf.validate.annotate.annotate`).
:func:`write_chasers` saves them as ``.eml`` files (the dry run); :func:`send_chasers` sends
them over one SMTP connection at a bounded rate, each recorded in the ledger's ``chasers``
table once the server has accepted it, and never to an address the register does not give.
"""

from __future__ import annotations

import hashlib
import html
import json
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

from xlperf.collection import BLANK, NOT_RECEIVED, REJECTED, CollectionStatus, ReturnStatus
from xlperf.core.collection import Contact
from xlperf.errors import InputError, XlperfError

__all__ = ["Chaser", "ChaseItem", "SendOutcome", "build_chasers", "send_chasers",
           "write_chasers"]

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
_KIND_WORDS = {"performance": "performance return", "finance": "finance return",
               "capital": "capital programme return"}
SENT, SKIPPED, REFUSED, NOT_SENT = "sent", "already sent today", "refused", "not sent"


@dataclass(frozen=True)
class ChaseItem:
    """One thing a contact is asked to do."""

    template: str  # the return's file name
    what: str  # not received, blank, rejected, error, query
    message: str
    sheet: str = ""
    cell: str = ""
    rule: str = ""

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.cell else ""

    def to_dict(self) -> dict[str, str]:
        return {"template": self.template, "what": self.what, "sheet": self.sheet,
                "cell": self.cell, "rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Chaser:
    """One message to one contact."""

    to: Contact
    subject: str
    items: tuple[ChaseItem, ...]
    attachments: tuple[Path, ...]
    message: EmailMessage = field(compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """The same reminder has the same fingerprint: the address and what it lists."""
        payload = json.dumps([self.to.email.casefold(), [i.to_dict() for i in self.items]],
                             ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one chaser under ``--send``."""

    chaser: Chaser
    outcome: str  # sent, already sent today, refused, not sent
    detail: str = ""


def _day(value: Any) -> str:
    return f"{value.day} {value:%B %Y}" if hasattr(value, "strftime") else str(value)


def _items(status: ReturnStatus, today: Any) -> list[ChaseItem]:
    """What is outstanding on one return (nothing when it is in and clean, or not yet due)."""
    e = status.expected
    items: list[ChaseItem] = []
    if status.outcome == NOT_RECEIVED:
        if e.due > today:
            return []
        late = (f"{status.days_overdue} working day{'s' if status.days_overdue != 1 else ''} "
                "overdue" if status.days_overdue else "due today")
        items.append(ChaseItem(e.file_name, NOT_RECEIVED, f"Your {e.period} "
                               f"{_KIND_WORDS.get(e.kind, 'return')} for {e.who} was due on "
                               f"{_day(e.due)} and has not been received ({late})."))
        return items
    if status.outcome in (BLANK, REJECTED):
        items.append(ChaseItem(e.file_name, status.outcome, f"The {e.period} return you sent "
                               f"({status.file.name if status.file else e.file_name}) was "
                               f"{'the blank template' if status.outcome == BLANK else 'rejected'}"
                               f": it was due on {_day(e.due)}; please send it again."))
    for f in status.report.findings:
        if f.severity not in ("error", "query"):  # explained before: nothing to chase
            continue
        items.append(ChaseItem(e.file_name, f.severity, f.message, f.sheet or "", f.cell or "",
                               f.rule))
    return items


def _plain(contact: Contact, status: CollectionStatus, by_return: dict[str, list[ChaseItem]],
           attached: bool) -> str:
    lines = [f"Dear {contact.name or 'colleague'},", "",
             f"These {status.period} returns need something from you"
             + (f" ({status.council})" if status.council else "") + ":", ""]
    for template, items in by_return.items():
        lines.append(template)
        for item in items:
            mark = {"error": "✖ error", "query": "? query"}.get(item.what, "!")
            where = f"{item.where} " if item.where else ""
            rule = f"{item.rule}: " if item.rule else ""
            lines.append(f"  {mark} {where}{rule}{item.message}")
        lines.append("")
    if attached:
        lines.append("The annotated copy of each return you sent is attached: every cell "
                     "listed is highlighted, with a comment saying what to do.")
        lines.append("")
    lines += ["Please correct each error and send the return again; answer each query in "
              "the Commentary (or Explanation) cell.", "", "Thank you."]
    return "\n".join(lines) + "\n"


def _html(contact: Contact, status: CollectionStatus, by_return: dict[str, list[ChaseItem]],
          attached: bool) -> str:
    e = html.escape  # every word here may come from someone else's workbook
    parts = [f"<p>Dear {e(contact.name or 'colleague')},</p>",
             f"<p>These {e(status.period)} returns need something from you"
             + (f" ({e(status.council)})" if status.council else "") + ":</p>"]
    for template, items in by_return.items():
        parts.append(f"<h2>{e(template)}</h2>")
        parts.append('<table border="1" cellpadding="4" cellspacing="0">'
                     '<tr><th scope="col">What</th><th scope="col">Cell</th>'
                     '<th scope="col">Rule</th><th scope="col">Message</th></tr>')
        for item in items:
            what = {"error": "✖ error", "query": "? query"}.get(item.what, item.what)
            parts.append(f"<tr><td>{e(what)}</td><td>{e(item.where)}</td><td>{e(item.rule)}"
                         f"</td><td>{e(item.message)}</td></tr>")
        parts.append("</table>")
    if attached:
        parts.append("<p>The annotated copy of each return you sent is attached: every cell "
                     "listed is highlighted, with a comment saying what to do.</p>")
    parts.append("<p>Please correct each error and send the return again; answer each query "
                 "in the Commentary (or Explanation) cell.</p><p>Thank you.</p>")
    return "<!DOCTYPE html><html><body>" + "".join(parts) + "</body></html>\n"


def build_chasers(status: CollectionStatus, *, sender: str | None = None,
                  annotated_dir: str | Path | None = None,
                  now: datetime | None = None) -> list[Chaser]:
    """One chaser per contact with something outstanding (see the module's docstring), in the
    order contacts first appear in the calendar. ``annotated_dir``: where the annotated copies
    to attach are written (none attached without it). ``sender``: the From address."""
    from xlperf.validate.annotate import annotate
    from xlperf.validate.returns import UNREADABLE

    now = now or datetime.now().astimezone()
    per_contact: dict[str, tuple[Contact, list[ReturnStatus]]] = {}
    for r in status.returns:
        for contact in r.expected.contacts:
            per_contact.setdefault(contact.email.casefold(), (contact, []))[1].append(r)
    copies: dict[Path, Path | None] = {}
    chasers = []
    for contact, returns in per_contact.values():
        by_return: dict[str, list[ChaseItem]] = {}
        attachments: list[Path] = []
        for r in returns:
            items = _items(r, status.today)
            if not items:
                continue
            by_return[r.expected.file_name] = items
            readable = r.file is not None and not any(
                f.rule in UNREADABLE for f in r.report.findings)
            if readable and r.report.findings and annotated_dir is not None:
                if r.file not in copies:
                    try:
                        copies[r.file] = annotate(r.report, annotated_dir)  # type: ignore[index]
                    except XlperfError:
                        copies[r.file] = None  # type: ignore[index]
                copy = copies[r.file]  # type: ignore[index]
                if copy is not None:
                    attachments.append(copy)
        if not by_return:
            continue
        count = sum(len(v) for v in by_return.values())
        subject = (f"{status.period} returns: {count} item{'s' if count != 1 else ''} to "
                   f"action" + (f" ({status.council})" if status.council else ""))
        msg = EmailMessage()
        if sender:
            msg["From"] = sender
        msg["To"] = formataddr((contact.name, contact.email)) if contact.name else contact.email
        msg["Subject"] = subject
        msg["Date"] = format_datetime(now)
        domain = sender.rsplit("@", 1)[-1] if sender and "@" in sender else "xlperf.invalid"
        msg["Message-ID"] = make_msgid("xlperf-chase", domain=domain)
        msg.set_content(_plain(contact, status, by_return, bool(attachments)))
        msg.add_alternative(_html(contact, status, by_return, bool(attachments)),
                            subtype="html")
        for path in attachments:
            msg.add_attachment(path.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                               filename=path.name)
        listed = tuple(i for v in by_return.values() for i in v)
        chasers.append(Chaser(contact, subject, listed, tuple(attachments), msg))
    return chasers


def _file_name(contact: Contact) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "._@-" else "_" for ch in contact.email)
    return f"{safe}.eml"


def write_chasers(chasers: Sequence[Chaser], out_dir: str | Path) -> list[Path]:
    """Write each chaser as ``<address>.eml`` into ``out_dir`` (made if needed)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for chaser in chasers:
            path = out / _file_name(chaser.to)
            path.write_bytes(chaser.message.as_bytes())
            paths.append(path)
    except OSError as error:
        raise XlperfError(f"cannot write the chasers into {out}: "
                          f"{error.strerror or error}") from None
    return paths


def _loopback(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1")


def send_chasers(chasers: Sequence[Chaser], *, status: CollectionStatus, ledger: str | Path,
                 host: str, port: int, starttls: bool, sender: str, per_minute: float = 30,
                 again: bool = False, user: str | None = None, password: str | None = None,
                 now: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 timeout: float = 30) -> list[SendOutcome]:
    """Send ``chasers`` through one SMTP connection, at most ``per_minute`` a minute, each
    recorded in the ledger's ``chasers`` table once the server accepted it. A chaser is not
    sent when its address is not in the register (``status.addresses``) or, unless ``again``,
    when the same reminder (:attr:`Chaser.fingerprint`) went to it today. A recipient the
    server refuses is reported and the batch goes on; a connection that drops stops the batch
    (the rest are "not sent", none recorded). Raises :class:`~xlperf.errors.XlperfError` when
    the server cannot be reached or refuses the login."""
    from xlperf.core.periods import parse_period
    from xlperf.ledger import Ledger, chasers_sent, record_chaser

    if not host:
        raise InputError("no mail server: set 'SMTP host' (and 'SMTP port') on the Settings "
                         "sheet to send chasers")
    if user and not starttls and not _loopback(host):
        raise InputError("will not send the SMTP password unencrypted: set 'SMTP STARTTLS' "
                         "to Yes")
    clock = now or (lambda: datetime.now().astimezone())
    allowed = status.addresses
    key = parse_period(status.period).format("iso")
    outcomes: list[SendOutcome] = []
    with Ledger(ledger) as book:
        done = chasers_sent(book, clock().date().isoformat())
        pending = []
        for chaser in chasers:
            address = chaser.to.email.casefold()
            if address not in allowed:
                outcomes.append(SendOutcome(chaser, REFUSED, "the address is not in the "
                                            "register"))
            elif not again and (address, chaser.fingerprint) in done:
                outcomes.append(SendOutcome(chaser, SKIPPED, "the same reminder went today"))
            else:
                pending.append(chaser)
        if not pending:
            return outcomes
        try:
            smtp = smtplib.SMTP(host, int(port), timeout=timeout)
        except (OSError, smtplib.SMTPException) as error:
            raise XlperfError(f"cannot reach the mail server {host}:{port}: {error}") from None
        try:
            try:
                smtp.ehlo()
                if starttls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if user:
                    smtp.login(user, password or "")
            except (OSError, smtplib.SMTPException) as error:
                raise XlperfError(f"the mail server {host}:{port} refused the connection: "
                                  f"{error}") from None
            for n, chaser in enumerate(pending):
                if n:
                    sleep(60.0 / max(float(per_minute), 0.001))
                message = chaser.message
                if "From" in message:
                    message.replace_header("From", sender)
                else:
                    message["From"] = sender
                try:
                    refused = smtp.send_message(message, from_addr=sender,
                                                to_addrs=[chaser.to.email])
                except smtplib.SMTPRecipientsRefused as error:
                    detail = "; ".join(f"{a}: {c} {m.decode(errors='replace')}"
                                       for a, (c, m) in error.recipients.items())
                    outcomes.append(SendOutcome(chaser, REFUSED, f"the server refused {detail}"))
                    continue
                except (smtplib.SMTPServerDisconnected, OSError) as error:
                    outcomes.append(SendOutcome(chaser, NOT_SENT, f"the connection was lost "
                                                f"({error or 'closed'})"))
                    outcomes += [SendOutcome(c, NOT_SENT, "the connection was lost before it")
                                 for c in pending[n + 1:]]
                    break
                except smtplib.SMTPException as error:
                    outcomes.append(SendOutcome(chaser, REFUSED, f"the server refused it: "
                                                f"{error}"))
                    continue
                if refused:  # one recipient only: refused means nothing went
                    outcomes.append(SendOutcome(chaser, REFUSED, f"the server refused {refused}"))
                    continue
                record_chaser(book, recipient=chaser.to.email, subject=chaser.subject,
                              fingerprint=chaser.fingerprint,
                              items=[i.to_dict() for i in chaser.items], period=status.period,
                              period_key=key, message_id=message["Message-ID"],
                              sent_at=clock())
                outcomes.append(SendOutcome(chaser, SENT))
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    order = {id(c): i for i, c in enumerate(chasers)}
    return sorted(outcomes, key=lambda o: order[id(o.chaser)])
