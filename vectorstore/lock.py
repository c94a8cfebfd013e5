"""One writer per store: an exclusive lock held for a whole ingest, delete or repair.

Two writers interleaving their pending/done marks and chunk upserts could each
leave the other's articles half-written, so writes are serialised:

* embedded store: ``fcntl.flock`` on ``HOME/ingest.lock``. The kernel drops the lock
  when its holder dies (even by ``kill -9``), so a crash never leaves a stale lock.
  The file also records who holds it (pid, host, start time) for the waiting side.
* Chroma server: a lease record in the ``{name}_meta`` collection (owner, pid, host,
  expiry), taken with Chroma's insert-if-absent ``add`` and renewed by a heartbeat
  thread. A holder that dies stops renewing; its lease expires after ``ttl`` seconds
  and the next writer takes it over.

A second writer waits up to ``wait`` seconds (it is told who it waits for), then
fails with :class:`LockTimeout` naming the holder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

# Seconds a second writer waits by default: long enough to queue behind a feed
# re-ingest, short enough that a stuck cron job fails visibly.
DEFAULT_WAIT = 120.0
LEASE_TTL = 60.0
LEASE_ID = "ingest-lease"
_POLL = 0.25


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: process, host, since when, and what it is doing."""

    pid: int | None
    host: str
    since: float
    purpose: str = "ingest"

    def describe(self) -> str:
        """E.g. ``an ingest (pid 4242 on news-1, running for 95 s)``."""
        who = f"pid {self.pid}" if self.pid else "unknown process"
        if self.host and self.host != socket.gethostname():
            who += f" on {self.host}"
        age = max(0.0, time.time() - self.since) if self.since else None
        running = f", running for {age:.0f} s" if age is not None else ""
        article = "an" if self.purpose[:1] in "aeiou" else "a"
        return f"{article} {self.purpose} ({who}{running})"

    def to_meta(self) -> dict[str, Any]:
        """The holder as flat JSON/Chroma metadata."""
        return {
            "pid": self.pid or 0,
            "host": self.host,
            "since": self.since,
            "purpose": self.purpose,
        }

    @classmethod
    def from_meta(cls, meta: dict[str, Any]) -> Holder:
        """Rebuild a holder from :meth:`to_meta` output (tolerates missing keys)."""
        return cls(
            pid=int(meta.get("pid") or 0) or None,
            host=str(meta.get("host", "")),
            since=float(meta.get("since") or 0.0),
            purpose=str(meta.get("purpose") or "ingest"),
        )

    @classmethod
    def me(cls, purpose: str) -> Holder:
        """This process, now."""
        return cls(os.getpid(), socket.gethostname(), time.time(), purpose)


class LockTimeout(Exception):
    """The lock stayed taken for longer than the caller was willing to wait."""

    def __init__(self, holder: Holder | None, waited: float) -> None:
        self.holder = holder
        self.waited = waited
        who = holder.describe() if holder else "another writer"
        super().__init__(f"{who} holds the lock; waited {waited:g} s")


class Lock(Protocol):
    """A lock that can be tried without blocking."""

    def try_acquire(self, me: Holder) -> tuple[bool, Holder | None]:
        """``(True, None)`` when acquired, else ``(False, holder if known)``."""
        ...

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        ...


class FileLock:
    """``flock`` on a file; released by the kernel when the holder exits or dies.

    Each acquisition opens its own file description, so two threads of one process
    exclude each other too.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self, me: Holder) -> tuple[bool, Holder | None]:
        """Take the lock without blocking; on success record ``me`` in the file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False, self._read_holder()
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        # Who holds it is only informative: a full disk must not stop the writer here.
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me.to_meta()).encode(), 0)
        return True, None

    def _read_holder(self) -> Holder | None:
        try:
            return Holder.from_meta(json.loads(self.path.read_text() or "{}"))
        except (OSError, ValueError):
            return None

    def release(self) -> None:
        """Unlock and close; the file stays (deleting it would race with waiters)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class Lease:
    """A lease record in a Chroma collection, for stores shared through a server.

    Chroma has no compare-and-swap, but ``add`` of an id that exists is ignored, so
    "add, then read back" tells exactly one contender it won. An expired lease is
    deleted only while it still names the expired owner, so two waiters cannot both
    take it over. ``call`` wraps Chroma calls (the store maps connection errors).
    """

    def __init__(
        self,
        collection: Callable[[], Any],
        call: Callable[..., Any],
        ttl: float | None = None,
    ) -> None:
        self._collection = collection
        self._call = call
        self.ttl = LEASE_TTL if ttl is None else ttl
        self.owner = uuid.uuid4().hex
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._me: Holder | None = None

    def _record(self, me: Holder) -> dict[str, Any]:
        return {**me.to_meta(), "owner": self.owner, "expires": time.time() + self.ttl}

    def _current(self) -> dict[str, Any] | None:
        got = self._call(self._collection().get, ids=[LEASE_ID], include=["metadatas"])
        metas = got.get("metadatas") or []
        return dict(metas[0]) if got.get("ids") else None

    def try_acquire(self, me: Holder) -> tuple[bool, Holder | None]:
        """Take the lease if it is free or expired; else return its holder."""
        meta = self._current()
        if meta is not None and float(meta.get("expires", 0)) < time.time():
            # The holder stopped renewing (crashed): remove its lease, and only its.
            self._call(
                self._collection().delete, ids=[LEASE_ID], where={"owner": str(meta["owner"])}
            )
            meta = None
        if meta is None:
            self._call(
                self._collection().add,
                ids=[LEASE_ID],
                embeddings=[[1.0]],
                metadatas=[self._record(me)],
            )
            meta = self._current()
        if meta is not None and meta.get("owner") == self.owner:
            self._me = me
            self._start_heartbeat()
            return True, None
        return False, Holder.from_meta(meta) if meta else None

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="newsqa-lease", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl / 4):
            try:
                self.renew()
            except Exception:  # the server is down: keep trying until the lease expires
                continue

    def renew(self) -> bool:
        """Push the expiry forward; ``False`` (and :attr:`lost` set) if it was taken."""
        meta = self._current()
        if meta is None or meta.get("owner") != self.owner or self._me is None:
            self.lost.set()
            return False
        self._call(self._collection().update, ids=[LEASE_ID], metadatas=[self._record(self._me)])
        return True

    def release(self) -> None:
        """Stop renewing and delete the lease if it is still ours."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._me is not None:
            self._me = None
            with contextlib.suppress(Exception):  # an unreachable server lets it expire
                self._call(self._collection().delete, ids=[LEASE_ID], where={"owner": self.owner})


def acquire(
    lock: Lock,
    me: Holder,
    wait: float = DEFAULT_WAIT,
    on_wait: Callable[[Holder | None], None] | None = None,
) -> None:
    """Take ``lock``, polling for up to ``wait`` seconds; ``on_wait`` is called once
    (with the holder) when the lock is taken by someone else."""
    started = time.monotonic()
    told = False
    while True:
        taken, holder = lock.try_acquire(me)
        if taken:
            return
        waited = time.monotonic() - started
        if waited >= wait:
            raise LockTimeout(holder, round(waited, 1))
        if not told and on_wait is not None:
            on_wait(holder)
            told = True
        time.sleep(min(_POLL, max(0.0, wait - waited)))
