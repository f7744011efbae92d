"""Stable per-workspace pseudonyms for child IDs: HMAC-SHA256 keyed with a secret kept in the workspace.

The same child gets the same pseudonym in every export of the workspace, quarter after quarter, so
analysts can join exports without seeing IDs; another workspace (another key) gives other pseudonyms,
and without the key a pseudonym cannot be turned back into an ID.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

from .errors import WorkspaceError, message

KEY_PATH = Path(".secret") / "pseudonym.key"  # inside the workspace
_KEY = re.compile(r"[0-9a-f]{64}")
DIGITS = 12  # hex digits kept: 48 bits, so 100,000 children collide with odds of about 1 in 50,000


class Pseudonyms:
    """Turns a child ID into its pseudonym, e.g. 'C123456' → 'P-3F2A9C01B7DE'."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def for_workspace(cls, root: Path) -> Pseudonyms:
        """The workspace's pseudonyms, creating its secret key (readable by its owner only) the first time."""
        path = root / KEY_PATH
        if not path.exists():
            _create_key(path)
        try:
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            text = ""
        if not _KEY.fullmatch(text):
            raise WorkspaceError(message("pseudonym_key", path=path))
        return cls(bytes.fromhex(text))

    def __call__(self, child_id: object) -> str:
        """The pseudonym of *child_id*; the same ID however it is cased or spaced gives the same pseudonym."""
        normal = str(child_id).strip().casefold().encode("utf-8")
        return "P-" + hmac.new(self._key, normal, hashlib.sha256).hexdigest()[:DIGITS].upper()


def _create_key(path: Path) -> None:
    # Written aside, then linked into place: two exports starting at once end up with one key, and
    # the key is never seen half-written. An existing key is never replaced.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(partial, path)
    except FileExistsError:
        pass
    except OSError:  # no hard links here (some network shares): a rename, only if still no key
        if not path.exists():
            os.rename(partial, path)
    finally:
        partial.unlink(missing_ok=True)
