"""qa remind (what each person owes, as an email), sending through a real SMTP server, and the watcher's receipts."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import socket
import ssl
import time
from pathlib import Path

import openpyxl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner

from pipeline.admin import read_roster
from pipeline.cli import cli
from pipeline.receipts import Receipts
from pipeline.roles import Role
from pipeline.spec import Catalogue
from pipeline.watch import Watcher
from pipeline.workspace import Workspace
from tests.answers import full_answers
from tests.filling import fill

QUARTER = "2022-23-Q3"
ADDRESSES = {"Sarah Lowe": "sarah.lowe@example.org", "Priya Raman": "priya.raman@example.org"}


def qa(root: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["--workspace", str(root), *args], env=env, catch_exceptions=False)


def add_emails(root: Path, addresses: dict[str, str]) -> None:
    """Add an Email column to the roster, as an admin would."""
    path = root / "admin" / "roster.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book["Staff"]
    headings = [cell.value for cell in sheet[1]]
    column = headings.index("Email") + 1 if "Email" in headings else sheet.max_column + 1
    sheet.cell(row=1, column=column, value="Email")
    for row in range(2, sheet.max_row + 1):
        name = sheet.cell(row=row, column=1).value
        if name in addresses:
            sheet.cell(row=row, column=column, value=addresses[name])
    book.save(path)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert qa(root, "init").exit_code == 0
    add_emails(root, ADDRESSES)
    return root


def read_eml(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def owing_at_the_end_of_q3(root: Path) -> list[str]:
    """Who owes something for Q3 with nothing returned: everyone on the example roster but the practitioners (social
    workers and ASYEs owe nothing in person; Appendix 6 gives every other role its own lines)."""
    return sorted(p.name for p in read_roster(root / "admin" / "roster.xlsx") if p.role not in (Role.SOCIAL_WORKER, Role.ASYE))


def team_of(root: Path, manager: str) -> list[str]:
    return sorted(p.name for p in read_roster(root / "admin" / "roster.xlsx") if p.line_manager == manager)


def issue_dip_sample(root: Path) -> Path:
    result = qa(root, "issue", "dip_sample", "--quarter", QUARTER, "--assignee", "Sarah Lowe", "--theme", "networks_contingency")
    assert result.exit_code == 0, result.output
    return Path(result.output.strip())


def test_each_person_gets_what_they_owe_and_by_when_with_their_forms_attached(root):
    issued = issue_dip_sample(root)
    result = qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20")
    assert result.exit_code == 0, result.output
    folder = root / "outbox" / "mail" / "reminders" / QUARTER / "2023-01-20"
    lines = result.stdout.splitlines()
    owing = owing_at_the_end_of_q3(root)
    assert lines[0] == f"Reminders for {QUARTER} as of 20/01/2023: {len(owing)} written to {folder}" and len(owing) == 20
    assert sorted(path.stem for path in folder.glob("*.eml")) == owing
    # A team manager: 10 children dip-sampled and a thematic audit (both late), and an observation of each member of
    # the team (the ASYE among them) by the end of the year.
    sarah_owes = 10 + 1 + len(team_of(root, "Sarah Lowe"))
    assert f"  Sarah Lowe <sarah.lowe@example.org>: {sarah_owes} to do (2 late), 1 form(s) attached" in lines
    # A head of service: 10 children dip-sampled, a summary and a CCR (all late); each of her two team managers
    # observed and their supervision audited by the end of the year.
    priya_owes = 10 + 1 + 1 + 2 * len(team_of(root, "Priya Raman"))
    assert f"  Priya Raman <priya.raman@example.org>: {priya_owes} to do (3 late), 2 overdue in their team" in lines
    assert ("Note: Anil Mistry has no Email on the roster (admin/roster.xlsx): their reminder is written but not sent. "
            "Add an Email column to the Staff sheet with their address.") in result.stderr.splitlines()

    sarah = read_eml(folder / "Sarah Lowe.eml")
    assert (sarah["To"], sarah["X-Unsent"], sarah["Subject"]) == (
        "Sarah Lowe <sarah.lowe@example.org>", "1", f"QA returns for {QUARTER}: {sarah_owes} to do, 2 late")
    body = sarah.get_body(("plain",)).get_content().splitlines()
    assert body[:7] == ["Dear Sarah,", "", f"This is a reminder of the quality-assurance returns for {QUARTER}, as they "
                        "stood on 20/01/2023.", "", "What you owe:",
                        "- Dip sampling: 10 of 10 still to do, due by 31/12/2022 - LATE, 20 days overdue",
                        "- Thematic audits, by person: 1 of 1 still to do, due by 31/12/2022 - LATE, 20 days overdue"]
    assert "- Observations by line managers (Ben Carter): 1 of 1 still to do, due by 31/03/2023" in body
    assert "- Observations by line managers (Ella Harper): 1 of 1 still to do, due by 31/03/2023" in body  # an ASYE
    assert "Forms issued to you and not yet returned (attached):" in body
    [attachment] = list(sarah.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == (issued.name, issued.read_bytes())
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_people_overdue_by_more_than_the_set_days_are_listed_to_their_line_manager(root):
    qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20")
    folder = root / "outbox" / "mail" / "reminders" / QUARTER / "2023-01-20"
    body = read_eml(folder / "Priya Raman.eml").get_body(("plain",)).get_content().splitlines()
    team = body[body.index("Overdue by more than 14 days in the team you manage:") + 1:]
    assert team[:5] == ["- Anil Mistry: Dip sampling, 10 of 10 still to do, due by 31/12/2022, 20 days overdue",
                        "- Anil Mistry: Thematic audits, by person, 1 of 1 still to do, due by 31/12/2022, 20 days overdue",
                        "- Sarah Lowe: Dip sampling, 10 of 10 still to do, due by 31/12/2022, 20 days overdue",
                        "- Sarah Lowe: Thematic audits, by person, 1 of 1 still to do, due by 31/12/2022, 20 days overdue",
                        ""]  # and nothing else: their observations are not due until 31/03/2023

    (root / "qa.yaml").write_text("remind_escalate_days: 30\n", encoding="utf-8")
    qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20")
    body = read_eml(folder / "Priya Raman (2).eml").get_body(("plain",)).get_content()  # the first is never overwritten
    assert "in the team you manage" not in body


def test_a_bad_address_on_the_roster_is_named_by_row(root):
    add_emails(root, {"Sarah Lowe": "sarah at example"})
    result = qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20", "--no-send")
    assert ("Note: roster.xlsx · sheet 'Staff' row 8: Email 'sarah at example' is not an email address: the reminder "
            "is written but not sent. Write it as name@example.gov.uk.") in result.stderr.splitlines()


# --- a real SMTP server on localhost ----------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(tmp_path: Path):
    """An SMTP server on a free localhost port: STARTTLS required (a certificate from a test CA), login required."""
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "test-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    inbox = Inbox()

    def check(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"qa-mailer", b"s3cret"))

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            auth_required=True, authenticator=check,
                            # smtplib answers LOGIN's prompt in a way aiosmtpd 1.4 waits on after a failed PLAIN
                            auth_exclude_mechanism=["LOGIN"])
    controller.start()
    try:
        yield inbox, controller.port, ca_file
    finally:
        controller.stop()


def test_reminders_are_sent_through_the_smtp_server_once_a_day(root, smtp_server):
    inbox, port, ca_file = smtp_server
    (root / "qa.yaml").write_text(f"smtp_host: localhost\nsmtp_port: {port}\nmail_from: QA team <qa@example.org>\n",
                                  encoding="utf-8")
    env = {"QA_SMTP_USER": "qa-mailer", "QA_SMTP_PASSWORD": "s3cret", "SSL_CERT_FILE": str(ca_file)}
    result = qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20", env=env)
    assert result.exit_code == 0, result.output
    without = len(owing_at_the_end_of_q3(root)) - len(ADDRESSES)
    assert result.stdout.splitlines()[-1] == (f"Sent 2 through localhost:{port}; 0 already sent today (not sent again); "
                                              f"{without} without an address.")
    assert sorted(to for tos, _ in inbox.messages for to in tos) == ["priya.raman@example.org", "sarah.lowe@example.org"]
    sent = {tos[0]: message for tos, message in inbox.messages}
    assert sent["sarah.lowe@example.org"]["Subject"] == f"QA returns for {QUARTER}: 17 to do, 2 late"
    assert sent["sarah.lowe@example.org"]["From"] == "QA team <qa@example.org>"
    assert sent["sarah.lowe@example.org"]["X-Unsent"] is None  # only the .eml files are drafts
    assert "qa-mailer" not in (root / "qa.yaml").read_text(encoding="utf-8")

    again = qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20", env=env)
    assert again.stdout.splitlines()[-1] == (f"Sent 0 through localhost:{port}; 2 already sent today (not sent again); "
                                             f"{without} without an address.")
    assert len(inbox.messages) == 2
    next_day = qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-21", env=env)
    assert next_day.stdout.splitlines()[-1].startswith(f"Sent 2 through localhost:{port};")
    assert len(inbox.messages) == 4


def test_a_failed_send_says_what_to_do_and_is_not_recorded_as_sent(root, smtp_server):
    inbox, port, ca_file = smtp_server
    (root / "qa.yaml").write_text(f"smtp_host: localhost\nsmtp_port: {port}\n", encoding="utf-8")
    env = {"QA_SMTP_USER": None, "QA_SMTP_PASSWORD": None, "SSL_CERT_FILE": str(ca_file)}  # no login: refused
    result = qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20", env=env)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        f"Error: Sending to priya.raman@example.org through localhost:{port} failed (530 5.7.0 Authentication required). "
        "Nothing more was sent; run qa remind again once the mail server is reachable (what was sent is not sent twice "
        "in a day).")
    assert inbox.messages == []
    env |= {"QA_SMTP_USER": "qa-mailer", "QA_SMTP_PASSWORD": "s3cret"}  # what failed was not recorded: it is sent now
    assert qa(root, "remind", "--quarter", QUARTER, "--today", "2023-01-20", env=env).stdout.splitlines()[-1].startswith(
        f"Sent 2 through localhost:{port};")


# --- receipts from the watcher -----------------------------------------------------------------------


def observation(catalogue: Catalogue, **changes: object) -> bytes:
    spec = catalogue.find("observation")
    values, groups = full_answers(spec, rows=1)  # every field answered, as the spec stands
    values |= {"quarter": QUARTER, "completed_by": "Sarah Lowe", "completed_on": dt.date(2022, 11, 3),
               "observer": "Sarah Lowe", "practitioner": "Ben Carter", "observation_date": dt.date(2022, 11, 1),
               "child_id": "C10001", "nature": "Visit", "strengths": "Warm, curious questions.",
               "areas_for_development": "Record the child's words.", "edi_evaluation": "Interpreter arranged."}
    return fill(spec, values | changes, groups)


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_the_watcher_sends_the_author_a_receipt_on_accept_and_the_note_on_reject(root, catalogue):
    (root / "qa.yaml").write_text("receipts: yes\n", encoding="utf-8")
    workspace = Workspace(root)
    watcher = Watcher(workspace, catalogue, settle=0.2, receipts=Receipts.for_workspace(workspace, catalogue))
    folder = root / "outbox" / "mail" / "receipts" / dt.date.today().isoformat()
    watcher.start()
    try:
        (root / "inbox" / "good.docx").write_bytes(observation(catalogue))
        # Another child's, so the good file does not resolve it (which would add a line to its note).
        (root / "inbox" / "bad.docx").write_bytes(observation(catalogue, strengths="", child_id="C10002"))
        assert wait_for(lambda: len(list(folder.glob("*.eml"))) == 2), list(folder.glob("*"))
    finally:
        watcher.stop()
    good, bad = read_eml(folder / "good.eml"), read_eml(folder / "bad.eml")
    assert (good["To"], good["Subject"]) == ("Sarah Lowe <sarah.lowe@example.org>", "Received: good.docx")
    assert good.get_content().splitlines()[2] == "Thank you: your Observation of practice (good.docx) was received and accepted."
    assert bad["Subject"] == "Not accepted: bad.docx"
    note = (root / "rejected" / "bad.docx - WHY REJECTED.txt").read_text(encoding="utf-8")
    assert note.rstrip() in bad.get_content()


def test_receipts_are_off_by_default(root, catalogue):
    assert Receipts.for_workspace(Workspace(root), catalogue) is None


def test_each_message_is_recorded_once_on_either_store_backend_and_forgotten_if_sending_failed(backend):
    with backend.store() as store:
        assert store.claim_mail("reminder|k", "reminder", QUARTER, "a@example.org", "S") is True
        assert store.claim_mail("reminder|k", "reminder", QUARTER, "a@example.org", "S") is False  # not sent twice
        store.release_mail("reminder|k")
        assert store.claim_mail("reminder|k", "reminder", QUARTER, "a@example.org", "S") is True
        assert [row[1:] for row in store.mail_sent("reminder")] == [("reminder", "a@example.org", "S")]


def test_qa_watch_once_sends_receipts_too(root, catalogue):
    (root / "qa.yaml").write_text("receipts: yes\n", encoding="utf-8")
    (root / "inbox" / "good.docx").write_bytes(observation(catalogue))
    old = time.time() - 60
    os.utime(root / "inbox" / "good.docx", (old, old))  # settled: copied a minute ago
    result = qa(root, "watch", "--once", "--today", "2022-12-01", env={"QA_TODAY": "2022-12-01"})
    assert result.exit_code == 0, result.output
    receipt = read_eml(root / "outbox" / "mail" / "receipts" / "2022-12-01" / "good.eml")
    assert (receipt["To"], receipt["Subject"]) == ("Sarah Lowe <sarah.lowe@example.org>", "Received: good.docx")
