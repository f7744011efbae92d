"""Receipts from `qa watch`: the author of each file hears that it was accepted, or why it was not.

Off unless qa.yaml says ``receipts: yes``. The author is who the form says completed it (or, failing
that, whom it was issued to), and their address is the roster's Email column. A rejection receipt
carries the note written beside the file, which goes only to its author. With smtp_host set the
receipt is sent (once per file and outcome); without it, it is written to outbox/mail/receipts/.
A receipt that cannot be sent is logged and never stops the watcher.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

from .config import Config, load_config
from .ingest import Outcome, examine
from .mail import Smtp, send
from .moves import note_path
from .remind import roster_emails
from .roles import fold
from .spec import Catalogue
from .store import Store
from .workspace import Workspace, unique_path

log = logging.getLogger("pipeline.receipts")
RECEIPTED = ("accepted", "replaced", "rejected")


class Receipts:
    """Called by the watcher with each file's outcome: writes or sends the author's receipt."""

    def __init__(self, workspace: Workspace, catalogue: Catalogue, config: Config) -> None:
        self.workspace, self.catalogue, self.config = workspace, catalogue, config
        self.smtp = Smtp.from_config(config)

    @classmethod
    def for_workspace(cls, workspace: Workspace, catalogue: Catalogue) -> Receipts | None:
        """Receipts as qa.yaml sets them up, or None when they are off."""
        config = load_config(workspace.root)
        return cls(workspace, catalogue, config) if config.receipts else None

    def __call__(self, store: Store, outcome: Outcome) -> None:
        try:
            self.receipt(store, outcome)
        except Exception as err:  # a receipt is a courtesy: the file is already where it belongs
            log.warning("%s: no receipt sent (%s)", outcome.file, err)

    def receipt(self, store: Store, outcome: Outcome) -> Path | str | None:
        """Send or write the receipt for *outcome*; what was done ('sent', a path), or None when there is no one to tell."""
        if outcome.status not in RECEIPTED or not outcome.destination:
            return None
        path = Path(outcome.destination)
        data = path.read_bytes()
        found = examine(path.name, data, self.catalogue)
        submission = found.submission
        author = str(submission.answer("author") or "") if submission else ""
        if not author and submission and submission.issue_id:
            author = next((i.assignee for i in store.issued() if i.issue_id == submission.issue_id), "")
        addresses, _ = roster_emails(self.workspace.roster_path)
        address = addresses.get(fold(author))
        if not address:
            log.info("%s: no receipt (%s)", outcome.file, "no author on the form" if not author else
                     f"{author} has no Email on the roster")
            return None
        title = found.spec.display_title if found.spec else "form"
        email = self.compose(author, address, outcome, title, path)
        key = f"receipt|{hashlib.sha256(data).hexdigest()}|{outcome.status}"
        if self.smtp is None:
            folder = self.workspace.outbox / "mail" / "receipts" / self.config.today().isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            target = unique_path(folder, f"{path.stem}.eml")
            with open(target, "xb") as handle:
                handle.write(b"X-Unsent: 1\n" + email.as_bytes())
            return target
        quarter = str(submission.quarter or "") if submission else ""
        return send(self.smtp, store, [(key, email)], "receipt", quarter)[0].status

    def compose(self, author: str, address: str, outcome: Outcome, title: str, path: Path) -> EmailMessage:
        """The receipt: accepted, or not accepted with the note saying what to fix."""
        email = EmailMessage()
        email["From"] = self.config.mail_from
        email["To"] = formataddr((author, address))
        email["Date"] = dt.datetime.now().astimezone()
        email["Message-ID"] = make_msgid(domain="qa.invalid")
        first = author.split()[0]
        if outcome.status == "rejected":
            email["Subject"] = f"Not accepted: {outcome.file}"
            note = note_path(path)
            text = note.read_text(encoding="utf-8") if note.is_file() else "\n".join(outcome.problems)
            body = [f"Dear {first},", "", f"Your {title} ({outcome.file}) could not be accepted. The note below says "
                    "what to fix: correct the file and drop it in the QA inbox again.", "", text.rstrip(), ""]
        else:
            email["Subject"] = f"Received: {outcome.file}"
            body = [f"Dear {first},", "", f"Thank you: your {title} ({outcome.file}) was received and accepted"
                    + (", replacing the copy sent before." if outcome.status == "replaced" else "."), ""]
        email.set_content("\n".join([*body, "Quality assurance team"]))
        return email
