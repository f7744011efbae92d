"""`qa remind`: what each person owes for a quarter, as an email they can act on (RFC 5322 .eml files).

What is owed comes from the quarter's one assessment (:func:`pipeline.compliance.assess_workspace`):
each person's outstanding lines (late once their due date has passed) and the forms issued to them
and not returned, which are attached. People overdue by more than ``remind_escalate_days`` are also
listed in their line manager's reminder. Addresses come from an optional Email column of the roster.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from .admin import Person
from .admin_xlsx import read_sheet
from .compliance import Assessment, PersonLine
from .errors import message
from .quarter import Quarter
from .roles import fold
from .store import IssuedForm
from .workspace import unique_path

EMAIL_HEADINGS = ("email", "e-mail", "email address", "e-mail address")
_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+")
_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def roster_emails(roster_path: Path) -> tuple[dict[str, str], list[str]]:
    """Addresses by folded name from the roster's optional Email column, and a line for each one that is not an address."""
    try:
        sheet = read_sheet(roster_path, "Staff")
    except ValueError:
        return {}, []  # read_roster has already said what is wrong with the file
    found = [(number, row) for number, row in sheet.rows if any(v not in (None, "") for v in row)]
    if not found:
        return {}, []
    header = [fold(str(value or "")) for value in found[0][1]]
    email = next((header.index(h) for h in EMAIL_HEADINGS if h in header), None)
    name = next((header.index(h) for h in ("name", "staff name", "full name") if h in header), None)
    if email is None or name is None:
        return {}, []
    addresses, problems = {}, []
    for number, row in found[1:]:
        person = " ".join(str(row[name] or "").split()) if name < len(row) else ""
        value = str(row[email] or "").strip() if email < len(row) else ""
        if not person or not value:
            continue
        if _ADDRESS.fullmatch(value):
            addresses[fold(person)] = value
        else:
            problems.append(message("remind_bad_email", file=roster_path.name, sheet=sheet.name, row=number, value=value))
    return addresses, problems


@dataclass
class Reminder:
    """One person's reminder: what they owe, the forms attached, and the overdue people they manage."""

    person: str
    address: str | None
    owed: list[PersonLine] = field(default_factory=list)
    forms: list[IssuedForm] = field(default_factory=list)
    team: list[tuple[str, PersonLine, int]] = field(default_factory=list)  # (who, line, days overdue)
    email: EmailMessage | None = None


def build_reminders(assessment: Assessment, roster: list[Person], addresses: dict[str, str], today: dt.date,
                    escalate_days: int, sender: str) -> list[Reminder]:
    """One reminder per person who owes something (or manages someone overdue by more than *escalate_days*)."""
    people = {fold(person.name): person for person in roster}
    reminders: dict[str, Reminder] = {}

    def reminder(name: str) -> Reminder:
        key = fold(name)
        if key not in reminders:
            person = people.get(key)
            reminders[key] = Reminder(person.name if person else name, addresses.get(key))
        return reminders[key]

    for line in assessment.compliance.outstanding_people():
        reminder(line.person).owed.append(line)
        overdue = (today - line.due).days
        person = people.get(fold(line.person))
        if overdue > escalate_days and person is not None and person.line_manager:
            reminder(person.line_manager).team.append((person.name, line, overdue))
    for issued in assessment.unreturned:
        reminder(issued.assignee).forms.append(issued)
    quarter = assessment.quarter
    for item in reminders.values():
        item.email = compose(item, quarter, today, escalate_days, sender)
    return sorted(reminders.values(), key=lambda r: fold(r.person))


def compose(item: Reminder, quarter: Quarter, today: dt.date, escalate_days: int, sender: str) -> EmailMessage:
    """The reminder as an email: what is owed and by when, the team's overdue returns, the forms attached."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = formataddr((item.person, item.address)) if item.address else item.person
    email["Date"] = dt.datetime.combine(today, dt.datetime.now().time()).astimezone()
    email["Message-ID"] = make_msgid(domain="qa.invalid")
    late = sum(1 for line in item.owed if line.due < today)
    owed = sum(line.outstanding for line in item.owed)
    if item.owed:
        summary = f"{owed} to do" + (f", {late} late" if late else f" by {_day(max(l.due for l in item.owed))}")
    else:
        summary = f"{len(item.forms)} form(s) not returned" if item.forms else f"{len(item.team)} overdue in your team"
    email["Subject"] = f"QA returns for {quarter.label}: {summary}"
    first = item.person.split()[0] if item.person.split() else item.person
    lines = [f"Dear {first},", "",
             f"This is a reminder of the quality-assurance returns for {quarter.label}, as they stood on {_day(today)}.", ""]
    if item.owed:
        lines += ["What you owe:"]
        for line in sorted(item.owed, key=lambda l: (l.due, l.activity)):
            about = f" ({line.subject})" if line.subject else ""
            status = f" - LATE, {(today - line.due).days} days overdue" if line.due < today else ""
            lines.append(f"- {line.activity}{about}: {line.outstanding} of {line.required} still to do, "
                         f"due by {_day(line.due)}{status}")
        lines.append("")
    if item.forms:
        lines += ["Forms issued to you and not yet returned (attached):"]
        lines += [f"- {Path(form.path).name} (issue {form.issue_id}), issued {_day(form.issued_at[:10])}"
                  for form in item.forms]
        lines.append("")
    if item.team:
        lines += [f"Overdue by more than {escalate_days} days in the team you manage:"]
        for who, line, days in sorted(item.team, key=lambda t: (fold(t[0]), t[1].activity)):
            about = f" ({line.subject})" if line.subject else ""
            lines.append(f"- {who}: {line.activity}{about}, {line.outstanding} of {line.required} still to do, "
                         f"due by {_day(line.due)}, {days} days overdue")
        lines.append("")
    lines += ["Complete the forms and drop them in the QA inbox (or send them to the QA team). If you have sent them "
              "in the last day or so, thank you: they will be counted when they are read.", "",
              "Quality assurance team"]
    email.set_content("\n".join(lines))
    for form in item.forms:
        path = Path(form.path)
        if path.is_file():
            kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            maintype, subtype = kind.split("/", 1)
            email.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return email


def write_reminders(reminders: list[Reminder], folder: Path) -> list[Path]:
    """Write each reminder as an .eml that Outlook opens as a draft ready to send; never overwrites a file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    from .schedule import person_folder

    for item in reminders:
        path = unique_path(folder, f"{person_folder(item.person)}.eml")
        with open(path, "xb") as handle:
            # X-Unsent: Outlook opens the file as a message to send, not as one received.
            handle.write(b"X-Unsent: 1\n" + item.email.as_bytes())
        paths.append(path)
    return paths


def _day(value: dt.date | str) -> str:
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%d/%m/%Y}"


@dataclass
class Reminded:
    """What `qa remind` did: the reminders, where their .eml files are, what was sent, and notes for the admin."""

    folder: Path
    reminders: list[Reminder]
    paths: list[Path]
    notes: list[str]
    sent: list | None = None  # mail.Sent per reminder, when sent through SMTP
    server: str = ""


def remind(workspace, catalogue, store, quarter: Quarter, config, *, send: bool = True) -> Reminded:
    """Write (and, with smtp_host set and *send*, send) the reminders for *quarter* as the schedule date stands."""
    from .admin import read_roster
    from .compliance import assess_workspace
    from .mail import Smtp
    from .mail import send as send_mail
    from .report.redact import Redactor

    roster = read_roster(workspace.roster_path)
    addresses, notes = roster_emails(workspace.roster_path)
    names = Redactor.from_submissions(catalogue, store.submissions(include_replaced=True))
    assessment = assess_workspace(workspace, store, quarter, catalogue, redact=names.name)
    today = config.today()
    reminders = build_reminders(assessment, roster, addresses, today, config.remind_escalate_days, config.mail_from)
    folder = workspace.outbox / "mail" / "reminders" / quarter.label / today.isoformat()
    paths = write_reminders(reminders, folder) if reminders else []
    notes += [message("mail_no_address", name=r.person, file="admin/roster.xlsx") for r in reminders if not r.address]
    result = Reminded(folder, reminders, paths, notes)
    smtp = Smtp.from_config(config) if send else None
    if smtp is not None and reminders:
        items = [(f"reminder|{quarter.label}|{fold(r.person)}|{today.isoformat()}", r.email) for r in reminders]
        result.sent, result.server = send_mail(smtp, store, items, "reminder", quarter.label), str(smtp)
    return result
