"""Watch the inbox and ingest each completed file once, through the same ingest_file() as `qa ingest`.

An observer thread (watchdog: inotify and friends, or polling for network shares) only notes which
paths changed. One worker thread owns everything else: it waits until a file has stopped changing
and opens as a whole zip, hands it to ingest_file() (which claims it by an atomic rename, so two
watchers never take the same file), rescans the inbox now and then for anything the observer
missed, recovers claims left by a process that died, and restarts the observer if it stops.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import queue
import signal
import stat
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .ingest import inbox_files, ingest_file, recover_claims
from .spec import Catalogue
from .store import Store
from .workspace import Workspace, is_ignored

log = logging.getLogger("pipeline.watch")

DEFAULT_POLL_INTERVAL = 2.0  # seconds between polls with --polling
DEFAULT_SETTLE = 0.5  # seconds between the two looks that must agree before a file is read
DEFAULT_RESCAN = 30.0  # seconds between reconciliation scans of the whole inbox
DEFAULT_GIVE_UP = 120.0  # a zip unchanged but still incomplete this long is ingested (and rejected)
SUPERVISE_EVERY = 1.0  # seconds between checks that the observer is alive
RETRY_OBSERVER_EVERY = 5.0  # seconds between attempts to start an observer that failed to start
BATCH_SECONDS = 0.5  # longest the worker ingests before it looks at the observer and the clock again

# ingest_file() and recover_claims() take a claim carrying this process's own pid for an abandoned
# one (after a restart the pid may be reused), so within one process a recovery must never run
# while another Watcher has a file in hand. One lock per process makes that so.
_INGEST_LOCK = threading.Lock()

_Signature = tuple[int, int, int, int]


class _QuietStopRace(logging.Filter):
    """Drops watchdog's error about a read racing the emitter's own stop: harmless, and it would
    otherwise end every Ctrl-C with an alarming line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in str(record.msg)


logging.getLogger("watchdog.observers.inotify").addFilter(_QuietStopRace())


def file_signature(path: Path) -> _Signature | None:
    """What must stay the same while a file settles (kind, size, mtime, inode); None if not a file."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return (1, 0, info.st_mtime_ns, info.st_ino)
    if not stat.S_ISREG(info.st_mode):
        return None
    return (0, info.st_size, info.st_mtime_ns, info.st_ino)


def looks_complete(path: Path) -> bool:
    """Whether a file that has stopped changing can be read now: a whole zip, or plainly not a zip.

    A zip writes its central directory last, so a half-copied .docx or .xlsx does not open, even when
    the copy has paused or the copier set the full size up front. Anything that is not a zip (a
    legacy .doc, a text file) is complete once it stops changing; ingest explains why it is rejected.
    """
    if path.is_symlink():
        return True  # ingest rejects links without following them
    try:
        with open(path, "rb") as stream:
            head = stream.read(4)
            if len(head) < 4:
                return False  # empty or only just created: nothing to judge yet
            if not head.startswith(b"PK"):
                return True
            stream.seek(0)
            with zipfile.ZipFile(stream) as archive:
                archive.infolist()
    except Exception:  # any failure to open means "not whole yet"; give_up bounds the wait
        return False
    return True


def inbox_candidate(inbox: Path, path: Path) -> bool:
    """Whether *path* is a file the watcher should consider: inside the inbox, not in a hidden folder
    (the claims in .processing among them), and not an Office lock or temp file."""
    try:
        parts = path.relative_to(inbox).parts
    except ValueError:
        return False
    return bool(parts) and not any(part.startswith(".") for part in parts[:-1]) and not is_ignored(parts[-1])


def _inbox_folder(inbox: Path, path: Path) -> bool:
    try:
        parts = path.relative_to(inbox).parts
    except ValueError:
        return False
    return not any(part.startswith(".") for part in parts)


class _InboxEvents(FileSystemEventHandler):
    """Turns observer events into candidate paths for the worker. Does no I/O and never raises."""

    def __init__(self, inbox: Path, post: queue.SimpleQueue) -> None:
        super().__init__()
        self._inbox = inbox
        self._post = post

    def dispatch(self, event: FileSystemEvent) -> None:
        # An exception escaping here would end watchdog's observer thread, and with it the watching.
        try:
            self._route(event)
        except Exception:
            log.exception("could not handle a %s event for %s; the next rescan will find the file",
                          event.event_type, event.src_path)

    def _route(self, event: FileSystemEvent) -> None:
        if event.event_type == "moved":
            target = event.dest_path  # a file renamed or moved into the inbox (Word saves this way)
        elif event.event_type in ("created", "modified", "closed"):
            target = event.src_path
        else:
            return
        if not target:
            return
        path = Path(os.fsdecode(target))
        if event.is_directory:
            if event.event_type != "modified" and _inbox_folder(self._inbox, path):
                self._post.put(("folder", path))
        elif _wanted(self._inbox, path):
            self._post.put(("file", path))


def _wanted(inbox: Path, path: Path) -> bool:
    """The handler's filter (a seam the tests use to make the handler fail)."""
    return inbox_candidate(inbox, path)


@dataclass
class _Candidate:
    """A file seen in the inbox and not yet ingested: how it looked last, and when to look again."""

    signature: _Signature
    changed_at: float
    due: float
    seq: int


class Watcher:
    """Watches a workspace's inbox and ingests every completed file in it exactly once.

    start() and stop() run it in background threads (as tests do); run_forever() runs it until
    SIGINT or SIGTERM, as `qa watch` does. The store is opened in the worker thread.
    """

    def __init__(
        self,
        workspace: Workspace,
        catalogue: Catalogue,
        *,
        polling: bool = False,
        interval: float = DEFAULT_POLL_INTERVAL,
        settle: float = DEFAULT_SETTLE,
        rescan: float = DEFAULT_RESCAN,
        give_up: float = DEFAULT_GIVE_UP,
    ) -> None:
        self.workspace = workspace
        self.catalogue = catalogue
        self.polling = polling
        self.interval = interval
        self.settle = settle
        self.rescan_every = rescan
        self.give_up = give_up
        self.counts: Counter[str] = Counter()  # outcomes by status, for callers and benchmarks
        self.observer_restarts = 0
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._handler = _InboxEvents(workspace.inbox, self._events)
        self._observer: BaseObserver | None = None
        self._fell_back = False
        self._worker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._pending: dict[Path, _Candidate] = {}
        self._due: list[tuple[float, int, Path]] = []
        self._seq = itertools.count()
        self._failures: Counter[Path] = Counter()
        self._state = threading.Condition()
        self._scan_requests = 0
        self._scans_served = 0
        self._busy = True
        self._next_rescan = 0.0
        self._next_supervise = 0.0
        self._next_observer_attempt = 0.0

    # --- running and stopping -------------------------------------------------------------------

    @property
    def observer(self) -> BaseObserver | None:
        """The watchdog observer now in use (None while it cannot be started)."""
        return self._observer

    def start(self) -> None:
        """Start the observer and the worker; files already in the inbox are ingested first."""
        if self._worker is not None:
            raise RuntimeError("this watcher is already running")
        self.workspace.ensure()
        self._stopping.clear()
        self._start_observer()
        log.info("watching %s (%s); rescanning every %g s", self.workspace.inbox, self._mode(), self.rescan_every)
        self._worker = threading.Thread(target=self._work, name="qa-watch-worker", daemon=True)
        self._worker.start()

    def stop(self, timeout: float | None = 60.0) -> None:
        """Stop: the file in hand is finished, files not yet started wait for the next run."""
        self._stopping.set()
        self._events.put(("wake", None))
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.join(timeout)
            if worker.is_alive():
                log.warning("stopped before the file in hand was finished; it will be recovered on the next start")
        self._discard_observer()
        if worker is not None:
            log.info("stopped watching %s", self.workspace.inbox)

    def run_forever(self) -> None:
        """Run until SIGINT or SIGTERM (or stop() from another thread), then stop cleanly."""
        previous = self._catch_signals()
        try:
            self.start()
            while not self._stopping.wait(SUPERVISE_EVERY):
                worker = self._worker
                if worker is not None and not worker.is_alive():
                    # Not expected (the worker catches everything), but never watch with no one ingesting.
                    log.error("the ingest worker stopped unexpectedly; restarting it")
                    self._worker = threading.Thread(target=self._work, name="qa-watch-worker", daemon=True)
                    self._worker.start()
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _catch_signals(self) -> dict[int, object]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous = {}
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, self._on_signal)
        return previous

    def _on_signal(self, signum: int, frame: object) -> None:
        log.info("%s received: finishing the file in hand, then stopping", signal.Signals(signum).name)
        self._stopping.set()
        self._events.put(("wake", None))

    def rescan(self) -> int:
        """Ask for a reconciliation scan now; returns a ticket wait_idle() understands."""
        with self._state:
            self._scan_requests += 1
            ticket = self._scan_requests
        self._events.put(("wake", None))
        return ticket

    def wait_idle(self, timeout: float) -> bool:
        """Rescan now, then wait until every file found has been dealt with; False if *timeout* passed first."""
        ticket = self.rescan()
        with self._state:
            return self._state.wait_for(lambda: self._scans_served >= ticket and not self._busy, timeout)

    # --- the observer -----------------------------------------------------------------------------

    def _mode(self) -> str:
        if self.polling or self._fell_back:
            return f"polling every {self.interval:g} s"
        return "native file events"

    def _start_observer(self) -> bool:
        polling = self.polling or self._fell_back
        observer = PollingObserver(timeout=self.interval) if polling else Observer()
        try:
            observer.schedule(self._handler, str(self.workspace.inbox), recursive=True)
            observer.start()
        except Exception as err:
            _stop_quietly(observer)
            self._observer = None
            if isinstance(err, OSError) and not polling and self.workspace.inbox.is_dir():
                # e.g. the inotify watch limit: polling still works, and is what a share needs anyway.
                log.warning("native file events are unavailable (%s); polling every %g s instead", err, self.interval)
                self._fell_back = True
                return self._start_observer()
            log.error("cannot watch %s (%s); retrying every %g s and rescanning meanwhile",
                      self.workspace.inbox, err, RETRY_OBSERVER_EVERY)
            self._next_observer_attempt = time.monotonic() + RETRY_OBSERVER_EVERY
            return False
        self._observer = observer
        return True

    def _discard_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            _stop_quietly(observer)

    def _observer_alive(self) -> bool:
        observer = self._observer
        return observer is not None and observer.is_alive() and all(e.is_alive() for e in list(observer.emitters))

    def _supervise(self) -> None:
        """Restart an observer whose thread died (or whose folder vanished), and rescan for what it missed."""
        if self._observer_alive() or self._stopping.is_set():
            return
        if self._observer is not None:
            log.error("the folder observer for %s stopped; restarting it", self.workspace.inbox)
            self._discard_observer()
        elif time.monotonic() < self._next_observer_attempt:
            return
        if self._start_observer():
            self.observer_restarts += 1
            log.warning("folder observer restarted (%s), restart %d", self._mode(), self.observer_restarts)
            self._next_rescan = 0.0  # events were lost while it was down

    # --- the worker -------------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                store = Store(self.workspace.store_path)
            except Exception:
                log.exception("cannot open the store at %s; retrying in %g s", self.workspace.store_path, RETRY_OBSERVER_EVERY)
                self._stopping.wait(RETRY_OBSERVER_EVERY)
                continue
            try:
                self._next_rescan = 0.0  # recover claims and catch up before taking any event
                while not self._stopping.is_set():
                    try:
                        self._step(store)
                    except Exception:
                        log.exception("the watcher hit an unexpected error; carrying on")
                        self._stopping.wait(self.settle)
            finally:
                store.close()

    def _step(self, store: Store) -> None:
        now = time.monotonic()
        if now >= self._next_supervise:
            self._next_supervise = now + SUPERVISE_EVERY
            self._supervise()
        with self._state:
            scan_asked = self._scans_served < self._scan_requests
        if scan_asked or now >= self._next_rescan:
            self._reconcile(store)
        self._process_due(store)
        with self._state:
            self._busy = bool(self._pending) or not self._events.empty()
            self._state.notify_all()
        self._take_events(self._wait_time())

    def _wait_time(self) -> float:
        now = time.monotonic()
        wake = min(self._next_supervise, self._next_rescan, self._due[0][0] if self._due else now + SUPERVISE_EVERY)
        return min(max(wake - now, 0.0), SUPERVISE_EVERY)

    def _take_events(self, timeout: float) -> None:
        try:
            kind, path = self._events.get(timeout=timeout) if timeout > 0 else self._events.get_nowait()
        except queue.Empty:
            return
        while True:
            if kind == "file":
                self._add(path)
            elif kind == "folder":
                self._next_rescan = 0.0  # rescan now: the folder's files may predate its watch
            try:
                kind, path = self._events.get_nowait()
            except queue.Empty:
                return

    def _add(self, path: Path) -> None:
        if path in self._pending:
            return  # already settling: the next look compares signatures anyway
        signature = file_signature(path)
        if signature is None:
            return
        now = time.monotonic()
        candidate = _Candidate(signature, now, now + self.settle, next(self._seq))
        self._pending[path] = candidate
        heapq.heappush(self._due, (candidate.due, candidate.seq, path))

    def _reconcile(self, store: Store) -> None:
        """Recover dead claims, then look at every file in the inbox (the observer may have missed some)."""
        with self._state:
            ticket = self._scan_requests
        self._next_rescan = time.monotonic() + self.rescan_every
        try:
            with _INGEST_LOCK:
                self._count(recover_claims(self.workspace, self.catalogue, store))
        except Exception:
            log.exception("recovering interrupted claims failed; trying again at the next rescan")
        for path in inbox_files(self.workspace):
            self._add(path)
        with self._state:
            self._scans_served = max(self._scans_served, ticket)

    def _process_due(self, store: Store) -> None:
        started = time.monotonic()
        while self._due and not self._stopping.is_set():
            now = time.monotonic()
            due, seq, path = self._due[0]
            if due > now or now - started > BATCH_SECONDS:
                return
            heapq.heappop(self._due)
            candidate = self._pending.get(path)
            if candidate is None or candidate.seq != seq:
                continue
            verdict = self._look(path, candidate, now)
            if verdict == "wait":
                candidate.seq = next(self._seq)
                candidate.due = now + self.settle
                heapq.heappush(self._due, (candidate.due, candidate.seq, path))
                continue
            del self._pending[path]
            if verdict == "ready":
                self._ingest(store, path)
            self._take_events(0)  # note new arrivals between files, so a long burst does not hide them

    def _look(self, path: Path, candidate: _Candidate, now: float) -> str:
        """'gone', 'wait' (still changing, or a zip not yet whole) or 'ready'."""
        signature = file_signature(path)
        if signature is None:
            return "gone"
        if signature != candidate.signature:
            candidate.signature, candidate.changed_at = signature, now
            return "wait"
        if looks_complete(path):
            return "ready"
        if now - candidate.changed_at >= self.give_up:
            log.info("%s has not changed for %g s but is still not a whole file; ingesting it as it is",
                     self._display(path), self.give_up)
            return "ready"
        return "wait"

    def _ingest(self, store: Store, path: Path) -> None:
        try:
            with _INGEST_LOCK:
                outcome = ingest_file(self.workspace, path, self.catalogue, store)
        except Exception as err:
            self._failures[path] += 1
            if self._failures[path] == 1:
                log.exception("%s could not be ingested; it is left where it is and retried at the next rescan",
                              self._display(path))
            else:
                log.error("%s could not be ingested again (%d tries): %s", self._display(path), self._failures[path], err)
            return
        self._failures.pop(path, None)
        if outcome is None:
            log.debug("%s was claimed by another watcher", self._display(path))
        else:
            self._count([outcome])

    def _count(self, outcomes: list) -> None:
        for outcome in outcomes:
            self.counts[outcome.status] += 1

    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self.workspace.inbox).as_posix()
        except ValueError:
            return str(path)


def _stop_quietly(observer: BaseObserver) -> None:
    """Stop an observer that may be half-started or already dead, without raising."""
    try:
        observer.stop()
    except Exception:
        log.debug("stopping an observer failed", exc_info=True)
    if observer.is_alive():
        observer.join(timeout=5)


def watch(workspace: Workspace, catalogue: Catalogue, *, polling: bool = False, interval: float = DEFAULT_POLL_INTERVAL) -> None:
    """Watch *workspace*'s inbox until SIGINT or SIGTERM: the library call behind `qa watch`."""
    Watcher(workspace, catalogue, polling=polling, interval=interval).run_forever()


__all__ = ["Watcher", "file_signature", "inbox_candidate", "looks_complete", "watch"]
