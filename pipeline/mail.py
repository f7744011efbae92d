"""Sending mail through the workspace's SMTP server: STARTTLS, credentials from the environment, once a day each.

The server is named in qa.yaml (smtp_host, smtp_port, smtp_starttls); the user name and password are
read from the environment variables qa.yaml names (smtp_user_env, smtp_password_env), never from the
workspace. Each message is claimed in the store under a key before it is sent (and the claim let go
if sending fails), so the same reminder is never sent twice in a day, even by two runs at once.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from .config import Config
from .errors import WorkspaceError, message
from .store import Store


@dataclass(frozen=True)
class Smtp:
    """Where and how to send: the server, STARTTLS, and the names of the variables holding the credentials."""

    host: str
    port: int
    starttls: bool
    user_env: str
    password_env: str

    @classmethod
    def from_config(cls, config: Config) -> Smtp | None:
        """The server qa.yaml names, or None when smtp_host is blank (write .eml files only)."""
        if not str(config.smtp_host or "").strip():
            return None
        return cls(str(config.smtp_host).strip(), config.smtp_port, config.smtp_starttls, config.smtp_user_env,
                   config.smtp_password_env)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Sent:
    """What happened to one message: 'sent', 'already' (sent today before) or 'no address'."""

    key: str
    status: str


def recipients(email: EmailMessage) -> list[str]:
    """The addresses an email is to (names without an address left out)."""
    return [address for _, address in getaddresses(email.get_all("To", [])) if "@" in address]


def send(smtp: Smtp, store: Store, items: list[tuple[str, EmailMessage]], kind: str, quarter: str,
         environ: dict[str, str] | None = None) -> list[Sent]:
    """Send each (key, email) not yet sent under its key; WorkspaceError (saying what to do) if the server fails.

    Messages sent before a failure stay recorded; the one that failed and those after it are not,
    so running again sends what is left.
    """
    environ = os.environ if environ is None else environ
    results: list[Sent] = []
    pending = []
    for key, email in items:
        if not recipients(email):
            results.append(Sent(key, "no address"))
        elif not store.claim_mail(key, kind, quarter, ", ".join(recipients(email)), str(email["Subject"])):
            results.append(Sent(key, "already"))
        else:
            pending.append((key, email))
    if not pending:
        return results
    user, password = environ.get(smtp.user_env, ""), environ.get(smtp.password_env, "")
    done = 0
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=60) as server:
            server.ehlo()
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if user:
                server.login(user, password)
            for key, email in pending:
                server.send_message(email)
                results.append(Sent(key, "sent"))
                done += 1
    except smtplib.SMTPAuthenticationError as err:
        _release(store, pending[done:])
        raise WorkspaceError(message("mail_login", host=smtp.host, port=smtp.port, detail=_reason(err),
                                     user_env=smtp.user_env, password_env=smtp.password_env)) from err
    except (OSError, smtplib.SMTPException) as err:
        _release(store, pending[done:])
        failed = ", ".join(recipients(pending[done][1])) if done < len(pending) else "the server"
        raise WorkspaceError(message("mail_failed", to=failed, host=smtp.host, port=smtp.port,
                                     detail=_reason(err))) from err
    return results


def _release(store: Store, items: list[tuple[str, EmailMessage]]) -> None:
    for key, _ in items:
        store.release_mail(key)


def _reason(err: Exception) -> str:
    if isinstance(err, smtplib.SMTPResponseException):
        text = err.smtp_error.decode("utf-8", "replace") if isinstance(err.smtp_error, bytes) else str(err.smtp_error)
        return f"{err.smtp_code} {text}"
    if isinstance(err, ssl.SSLError):
        return f"secure connection failed: {err.reason or err}"
    return getattr(err, "strerror", None) or str(err) or type(err).__name__
