"""Watch the inbox and ingest each completed file once, through the same ingest_file() as `qa ingest`.

An observer thread (watchdog: inotify and friends, or polling for network shares) only notes which
paths changed. One worker thread owns everything else: it waits until a file has stopped changing
and opens as a whole zip (settle.py), hands it to ingest_file() (which claims it by an atomic
rename, so two watchers never take the same file), rescans the inbox now and then for anything the
observer missed, recovers claims left by a process that died, and restarts the observer if it stops.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .ingest import CLAIM_SEPARATOR, FileNotHandled, inbox_files, ingest_file, printable, recover_claims
from .settle import DEFAULT_GIVE_UP, DEFAULT_SETTLE, MONOTONIC, Clock, Settler, read_error
from .spec import Catalogue
from .store import Store
from .workspace import Workspace, is_ignored

if TYPE_CHECKING:
    from .schedule import Schedule

log = logging.getLogger("pipeline.watch")

DEFAULT_POLL_INTERVAL = 2.0  # seconds between polls with --polling
DEFAULT_RESCAN = 30.0  # seconds between reconciliation scans of the whole inbox
SUPERVISE_EVERY = 1.0  # seconds between checks that the observer is alive
RETRY_OBSERVER_EVERY = 5.0  # seconds between attempts to start an observer that failed to start
BATCH_SECONDS = 0.5  # longest the worker ingests before it looks at the observer and the clock again

# ingest_file() and recover_claims() take a claim carrying this process's own pid for an abandoned
# one (after a restart the pid may be reused), so within one process a recovery must never run
# while another Watcher has a file in hand. One lock per process makes that so.
_INGEST_LOCK = threading.Lock()


class _QuietStopRace(logging.Filter):
    """Drops watchdog's error about a read racing the emitter's own stop: harmless, and it would
    otherwise end every Ctrl-C with an alarming line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in str(record.msg)


logging.getLogger("watchdog.observers.inotify").addFilter(_QuietStopRace())


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
                          event.event_type, printable(os.fsdecode(event.src_path)))

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


class _Observing:
    """Keeps a watchdog observer running on the inbox: starts it, falls back to polling when native
    events are unavailable, and restarts it when its thread dies or its folder is replaced."""

    def __init__(self, inbox: Path, handler: FileSystemEventHandler, polling: bool, interval: float, clock: Clock) -> None:
        self.inbox = inbox
        self.handler = handler
        self.polling = polling
        self.interval = interval
        self.clock = clock
        self.observer: BaseObserver | None = None
        self.restarts = 0
        self._next_attempt = 0.0

    def mode(self) -> str:
        """How the inbox is watched, in words for the log."""
        return f"polling every {self.interval:g} s" if self.polling else "native file events"

    def start(self) -> bool:
        """Start an observer; False (and a retry scheduled) if none can be started now."""
        observer = PollingObserver(timeout=self.interval) if self.polling else Observer()
        try:
            observer.schedule(self.handler, str(self.inbox), recursive=True)
            observer.start()
        except Exception as err:
            _stop_quietly(observer)
            self.observer = None
            if isinstance(err, OSError) and not self.polling and self.inbox.is_dir():
                # e.g. the inotify watch limit: polling still works, and is what a share needs anyway.
                log.warning("native file events are unavailable (%s); polling every %g s instead", err, self.interval)
                self.polling = True
                return self.start()
            log.error("cannot watch %s (%s); retrying every %g s and rescanning meanwhile",
                      printable(str(self.inbox)), err, RETRY_OBSERVER_EVERY)
            self._next_attempt = self.clock.now() + RETRY_OBSERVER_EVERY
            return False
        self.observer = observer
        return True

    def discard(self) -> None:
        """Stop the observer, if any."""
        observer, self.observer = self.observer, None
        if observer is not None:
            _stop_quietly(observer)

    def restart_if_dead(self) -> bool:
        """Restart an observer whose thread died (or whose folder vanished); True if it was restarted."""
        observer = self.observer
        if observer is not None and observer.is_alive() and all(e.is_alive() for e in list(observer.emitters)):
            return False
        if observer is not None:
            log.error("the folder observer for %s stopped; restarting it", printable(str(self.inbox)))
            self.discard()
        elif self.clock.now() < self._next_attempt:
            return False
        if not self.start():
            return False
        self.restarts += 1
        log.warning("folder observer restarted (%s), restart %d", self.mode(), self.restarts)
        return True


def _stop_quietly(observer: BaseObserver) -> None:
    """Stop an observer that may be half-started or already dead, without raising."""
    try:
        observer.stop()
    except Exception:
        log.debug("stopping an observer failed", exc_info=True)
    if observer.is_alive():
        observer.join(timeout=5)


class _Idle:
    """Whether the worker has caught up: rescans asked for and served, and files still in play."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._asked = 0
        self._served = 0
        self._busy = True

    def ask(self) -> int:
        """Ask for a rescan; returns the ticket that wait() takes."""
        with self._state:
            self._asked += 1
            return self._asked

    def asked(self) -> int | None:
        """The newest rescan asked for and not yet served, if any."""
        with self._state:
            return self._asked if self._served < self._asked else None

    def served(self, ticket: int) -> None:
        """A rescan that began after *ticket* was asked for has finished."""
        with self._state:
            self._served = max(self._served, ticket)

    def report(self, busy: bool) -> None:
        """Whether files are still settling or waiting in the event queue."""
        with self._state:
            self._busy = busy
            self._state.notify_all()

    def wait(self, ticket: int, timeout: float) -> bool:
        """Until rescan *ticket* has been served and nothing is in play; False if *timeout* passed first."""
        with self._state:
            return self._state.wait_for(lambda: self._served >= ticket and not self._busy, timeout)


class Watcher:
    """Watches a workspace's inbox and ingests every completed file in it exactly once.

    start() and stop() run it in background threads (as tests do); run_forever() runs it until
    SIGINT or SIGTERM, as `qa watch` does. The store is opened in the worker thread. *clock* times
    the settling and the rescans (tests may pass their own).
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
        clock: Clock = MONOTONIC,
        schedule: Schedule | None = None,
        receipts: Callable[[Store, object], None] | None = None,
    ) -> None:
        self.workspace = workspace
        self.receipts = receipts  # receipts.py: tells each file's author it was accepted or why not
        self.schedule = schedule  # hands-off operation (schedule.py): one pass after each step
        self.catalogue = catalogue
        self.rescan_every = rescan
        self.counts: Counter[str] = Counter()  # outcomes by status, for callers and benchmarks
        self._clock = clock
        self._settler = Settler(settle, give_up, clock)
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._observing = _Observing(workspace.inbox, _InboxEvents(workspace.inbox, self._events), polling, interval, clock)
        self._worker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._idle = _Idle()
        self._failures: Counter[Path] = Counter()  # tries of files whose ingest raised, to log the trace once
        self._unreadable: set[Path] = set()  # files said to be unreadable, to say it once
        self._next_rescan = 0.0
        self._next_supervise = 0.0

    # --- running and stopping -------------------------------------------------------------------

    @property
    def observer(self) -> BaseObserver | None:
        """The watchdog observer now in use (None while it cannot be started)."""
        return self._observing.observer

    @property
    def observer_restarts(self) -> int:
        """How many times the observer has been restarted after it stopped."""
        return self._observing.restarts

    def start(self) -> None:
        """Start the observer and the worker; files already in the inbox are ingested first."""
        if self._worker is not None:
            raise RuntimeError("this watcher is already running")
        self.workspace.ensure()
        self._stopping.clear()
        self._observing.start()
        log.info("watching %s (%s); rescanning every %g s", printable(str(self.workspace.inbox)), self._observing.mode(),
                 self.rescan_every)
        self._start_worker()

    def _start_worker(self) -> None:
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
        self._observing.discard()
        if worker is not None:
            log.info("stopped watching %s", printable(str(self.workspace.inbox)))

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
                    self._start_worker()
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
        ticket = self._idle.ask()
        self._events.put(("wake", None))
        return ticket

    def wait_idle(self, timeout: float) -> bool:
        """Rescan now, then wait until every file found has reached its end state; False if *timeout* passed first.

        A file's end state: ingested (moved to archive/ or rejected/, its note written), gone, or left
        in the inbox with a reason logged (unreadable, or an ingest that failed and waits for a retry).
        """
        return self._idle.wait(self.rescan(), timeout)

    # --- the worker -------------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                store = Store(self.workspace.store_path)
            except Exception:
                log.exception("cannot open the store at %s; retrying in %g s", printable(str(self.workspace.store_path)),
                              RETRY_OBSERVER_EVERY)
                self._stopping.wait(RETRY_OBSERVER_EVERY)
                continue
            if store.leases:  # another host's expired claims are taken at a rescan: look often enough to be within the lease
                self.rescan_every = min(self.rescan_every, max(1.0, store.lease_seconds / 3))
            try:
                self._next_rescan = 0.0  # recover claims and catch up before taking any event
                while not self._stopping.is_set():
                    try:
                        self._step(store)
                    except Exception:
                        log.exception("the watcher hit an unexpected error; carrying on")
                        self._stopping.wait(self._settler.settle)
            finally:
                store.close()

    def _step(self, store: Store) -> None:
        now = self._clock.now()
        if now >= self._next_supervise:
            self._next_supervise = now + SUPERVISE_EVERY
            if not self._stopping.is_set() and self._observing.restart_if_dead():
                self._next_rescan = 0.0  # events were lost while it was down
        ticket = self._idle.asked()
        if ticket is not None or now >= self._next_rescan:
            self._reconcile(store, ticket)
        self._process_due(store)
        if self.schedule is not None:
            self.schedule.run(store)
        self._idle.report(busy=bool(self._settler) or not self._events.empty())
        self._take_events(self._wait_time())

    def _wait_time(self) -> float:
        now = self._clock.now()
        due = self._settler.next_due()
        wake = min(self._next_supervise, self._next_rescan, now + SUPERVISE_EVERY if due is None else due)
        return min(max(wake - now, 0.0), SUPERVISE_EVERY)

    def _take_events(self, timeout: float) -> None:
        try:
            kind, path = self._events.get(timeout=timeout) if timeout > 0 else self._events.get_nowait()
        except queue.Empty:
            return
        while True:
            if kind == "file":
                self._settler.add(path)
            elif kind == "folder":
                self._next_rescan = 0.0  # rescan now: the folder's files may predate its watch
            try:
                kind, path = self._events.get_nowait()
            except queue.Empty:
                return

    def _reconcile(self, store: Store, ticket: int | None) -> None:
        """Recover dead claims, then look at every file in the inbox (the observer may have missed some)."""
        self._next_rescan = self._clock.now() + self.rescan_every
        try:
            with _INGEST_LOCK:
                self._count(recover_claims(self.workspace, self.catalogue, store))
        except Exception:
            log.exception("recovering interrupted claims failed; trying again at the next rescan")
        found = inbox_files(self.workspace)
        for path in found:
            self._settler.add(path)
        self._unreadable.intersection_update(found)  # one gone and back is reported again
        if ticket is not None:
            self._idle.served(ticket)

    def _process_due(self, store: Store) -> None:
        started = self._clock.now()
        while not self._stopping.is_set() and self._clock.now() - started <= BATCH_SECONDS:
            decided = self._settler.pop_ready()
            if decided is None:
                return
            path, verdict = decided
            if verdict == "unreadable":
                self._left_unreadable(path)
                continue
            self._unreadable.discard(path)
            if verdict == "stalled":
                log.info("%s has not changed for %g s but is still not a whole file; ingesting it as it is",
                         self._display(path), self._settler.give_up)
            if verdict != "gone":
                self._ingest(store, path)
            self._take_events(0)  # note new arrivals between files, so a long burst does not hide them

    def _left_unreadable(self, path: Path) -> None:
        if path not in self._unreadable:
            self._unreadable.add(path)
            log.error("%s cannot be read (%s); it is left in the inbox, unchanged. Give the account that runs "
                      "qa watch permission to read it: it is taken at the next rescan, within %g s",
                      self._display(path), read_error(path) or "it could not be opened", self.rescan_every)

    def _ingest(self, store: Store, path: Path) -> None:
        before = self._claims()
        try:
            with _INGEST_LOCK:
                outcome = ingest_file(self.workspace, path, self.catalogue, store)
        except FileNotHandled as err:  # an OS error: ingest has logged why, and put the file back in the inbox
            self._count([err.outcome])
            return
        except Exception as err:
            self._failed(path, err, before)
            return
        self._failures.pop(path, None)
        if outcome is None:
            log.debug("%s was claimed by another watcher", self._display(path))
        else:
            self._count([outcome])
            if self.receipts is not None:
                self.receipts(store, outcome)

    def _failed(self, path: Path, err: Exception, claims_before: set[str]) -> None:
        """Log an ingest that raised, saying where the file is now: still in the inbox, or held in a claim."""
        self._failures[path] += 1
        tries = self._failures[path]
        if os.path.lexists(path):
            where = f"it is still in the inbox, unchanged, and is tried again at the next rescan, within {self.rescan_every:g} s"
        else:
            held = sorted(name for name in self._claims() - claims_before if CLAIM_SEPARATOR in name)  # not its note
            if held:
                claim = (self.workspace.processing / held[0]).relative_to(self.workspace.root).as_posix()
                where = f"it is held in {printable(claim)} and is finished at the next rescan, within {self.rescan_every:g} s"
            else:
                where = "it is no longer in the inbox or in .processing: look for it in archive/ and rejected/"
        reason = printable(f"{type(err).__name__}: {err}")
        if tries == 1:
            log.error("%s could not be ingested (%s); %s", self._display(path), reason, where, exc_info=err)
        else:
            log.error("%s could not be ingested again (%d tries: %s); %s", self._display(path), tries, reason, where)

    def _claims(self) -> set[str]:
        """Names in the processing folder, to tell which claim an ingest that raised left behind."""
        try:
            return set(os.listdir(self.workspace.processing))
        except OSError:
            return set()

    def _count(self, outcomes: list) -> None:
        for outcome in outcomes:
            self.counts[outcome.status] += 1
        if outcomes and self.schedule is not None:
            self.schedule.ingested()

    def _display(self, path: Path) -> str:
        try:
            return printable(path.relative_to(self.workspace.inbox).as_posix())
        except ValueError:
            return printable(str(path))


def watch(workspace: Workspace, catalogue: Catalogue, *, polling: bool = False, interval: float = DEFAULT_POLL_INTERVAL,
          schedule: Schedule | None = None) -> None:
    """Watch *workspace*'s inbox until SIGINT or SIGTERM: the library call behind `qa watch`."""
    from .receipts import Receipts

    Watcher(workspace, catalogue, polling=polling, interval=interval, schedule=schedule,
            receipts=Receipts.for_workspace(workspace, catalogue)).run_forever()


__all__ = ["DEFAULT_GIVE_UP", "DEFAULT_POLL_INTERVAL", "DEFAULT_SETTLE", "Watcher", "inbox_candidate", "printable", "watch"]
