"""What differs between the servers councils run (Linux, Windows): process liveness, links, renames, signals, long paths.

Everything platform-specific that ingest needs lives here, so the rest of the code reads the same on
every system. Liveness never uses `os.kill(pid, 0)`: on Windows that call terminates the process.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import ntpath
import os
import signal
import socket
import sys
from pathlib import Path

import psutil

WINDOWS = os.name == "nt"
LINUX = sys.platform.startswith("linux")

# Two start times of one process read at different moments can differ slightly (on Linux psutil adds
# the boot time, which moves when the clock is stepped); a reused pid starts later than this.
START_TIME_TOLERANCE = 1.0

# Errors that mean "this filesystem will not make a hard link here", not "the name is taken".
_NO_LINK_ERRNOS = {errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}
_NO_LINK_WINERRORS = {1, 17, 50}  # invalid function, not same device, not supported (FAT, some shares)


HOST_ENV = "QA_HOST"  # who this computer is in claims and leases (tests run several "hosts" on one machine)


def host_name() -> str:
    """This computer's name as it appears in a claim (QA_HOST if set): no dots and no double underscores."""
    name = os.environ.get(HOST_ENV, "").strip() or socket.gethostname()
    return name.replace(".", "-").replace("__", "-") or "unknown-host"


def process_started(pid: int) -> float | None:
    """When process *pid* started (seconds since the epoch), or None if there is no such live process."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:  # killed, not yet reaped: dead for our purposes
            return None
        return process.create_time()
    except psutil.NoSuchProcess:
        return None
    except psutil.AccessDenied:
        return 0.0  # alive, but its start time is hidden from us


def process_alive(pid: int, started: float | None = None) -> bool:
    """Whether *pid* is a running process and, if *started* is given, the same one that started then.

    A pid is reused once its process has died; the start time tells the new process from the old.
    """
    now_started = process_started(pid)
    if now_started is None:
        return False
    if not started or now_started == 0.0:  # a start time unknown on either side: the pid alone decides
        return True
    return abs(now_started - started) <= START_TIME_TOLERANCE


def own_start_time() -> float:
    """This process's start time, as written into its claims."""
    return process_started(os.getpid()) or 0.0


def link_unsupported(err: OSError) -> bool:
    """Whether *err* from os.link means the filesystem cannot link here (copy instead), rather than a real failure."""
    if isinstance(err, FileExistsError):
        return False
    if WINDOWS and getattr(err, "winerror", None) in _NO_LINK_WINERRORS:
        return True
    return err.errno in _NO_LINK_ERRNOS


def same_filesystem(path: Path, folder: Path) -> bool:
    """Whether *path* can be hard-linked into *folder*: both on one filesystem (device)."""
    try:
        return os.lstat(path).st_dev == os.stat(folder).st_dev
    except OSError:
        return False


def link(source: Path, target: Path) -> None:
    """Give *source* a second name *target*; FileExistsError if *target* exists (never replaces it).

    A symbolic link is linked itself, never what it points at (Windows' CreateHardLink does that anyway).
    """
    if WINDOWS:
        os.link(long_path(source), long_path(target))
    else:
        os.link(source, target, follow_symlinks=False)


def rename_noreplace(source: Path, target: Path) -> None:
    """Rename *source* to *target*, failing with FileExistsError rather than replacing an existing *target*.

    Used where a filesystem has no hard links. Windows' rename never replaces; Linux has
    renameat2(RENAME_NOREPLACE); elsewhere a check just before the rename narrows the window.
    """
    if WINDOWS:
        os.rename(long_path(source), long_path(target))
        return
    if LINUX and _renameat2(source, target):
        return
    if os.path.lexists(target):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    os.rename(source, target)


_RENAME_NOREPLACE = 1
_AT_FDCWD = -100


def _renameat2(source: Path, target: Path) -> bool:
    """renameat2(RENAME_NOREPLACE); False if the C library or the filesystem does not offer it."""
    call = _libc_renameat2()
    if call is None:
        return False
    result = call(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), _RENAME_NOREPLACE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(target))


@functools.cache
def _libc_renameat2():
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def fsync_folder(folder: Path) -> None:
    """Make a folder's new entries durable. Windows cannot open a folder for this; NTFS journals them."""
    if WINDOWS:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):  # some filesystems refuse it
            raise
    finally:
        os.close(fd)


def stop_signals() -> tuple[signal.Signals, ...]:
    """The signals that ask a long-running command to stop: Ctrl-C everywhere; SIGTERM on POSIX, Ctrl-Break on Windows."""
    if WINDOWS:
        return (signal.SIGINT, signal.SIGBREAK)  # type: ignore[attr-defined]  # exists on Windows only
    return (signal.SIGINT, signal.SIGTERM)


WINDOWS_MAX_PATH = 260


def long_path(path: os.PathLike | str) -> str:
    """*path* as the system calls need it: on Windows a long absolute path gets the \\\\?\\ prefix."""
    text = os.fspath(path)
    if not WINDOWS or len(text) < WINDOWS_MAX_PATH or text.startswith("\\\\?\\") or not ntpath.isabs(text):
        return text
    if text.startswith("\\\\"):  # \\server\share\… → \\?\UNC\server\share\…
        return "\\\\?\\UNC\\" + text[2:]
    return "\\\\?\\" + text


__all__ = ["WINDOWS", "fsync_folder", "host_name", "link", "link_unsupported", "long_path", "own_start_time",
           "process_alive", "process_started", "rename_noreplace", "same_filesystem", "stop_signals"]
