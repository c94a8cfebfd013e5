"""Run ``newsqa`` (``ui.cli.main``) in child processes the reliability tests can kill.

Loading torch takes ~7 s per process, so 20 kill-and-rerun rounds would spend most of
their time importing. This driver imports everything once and then, for each request
read from stdin (one JSON object per line), forks a fresh child that runs the real
CLI code path; the test may send that child ``SIGKILL``. Nothing is loaded before the
fork except modules (no model, no Chroma client, no threads), so each child starts
from a clean process state. Several children may run at once.

Request fields: ``argv`` (CLI arguments), ``env`` (variables to set), ``stdout`` and
``stderr`` (files for the CLI's output), ``batch_chunks`` (shrinks the pipeline's
write batch so a small corpus takes many batches), ``markers`` (report every Chroma
call), ``slow_writes`` (seconds to sleep before each chunk upsert, so a run holds its
lock for a while), ``lease_ttl`` (seconds a server-mode lease lasts) and ``fault``
(``"enospc:N"``: the N-th chunk upsert writes half its batch, then fails with ENOSPC).

Lines on stdout: ``@ready``; per child ``@pid P`` (in request order), ``@op P NAME`` and
``@end P NAME`` around Chroma calls, ``@done P STATUS`` once it ended (the exit code, or
``-9`` when killed).
"""

from __future__ import annotations

import errno
import json
import os
import select
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

_OUT = 1  # the driver's stdout (the pipe the test reads)


def _say(line: str, fd: int = _OUT) -> None:
    os.write(fd, (line + "\n").encode())


def _instrument(request: dict[str, Any], say: Any) -> None:
    """Patch the child: batch size, Chroma call markers, slow writes, faults, lease."""
    import ingest.pipeline
    import vectorstore.lock
    from vectorstore.store import Store

    if request.get("batch_chunks"):
        ingest.pipeline.WRITE_BATCH_CHUNKS = int(request["batch_chunks"])
    if request.get("lease_ttl"):
        vectorstore.lock.LEASE_TTL = float(request["lease_ttl"])
    markers = bool(request.get("markers"))
    slow = float(request.get("slow_writes") or 0)
    fault = str(request.get("fault") or "")
    fail_at = int(fault.split(":", 1)[1]) if fault.startswith("enospc:") else 0
    seen = {"chunk_upserts": 0}
    original = Store._call

    def call(self: Store, fn: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(getattr(fn, "__self__", None), "name", "")
        name = f"{owner}.{getattr(fn, '__name__', 'call')}"
        if name.endswith("_chunks.upsert"):
            seen["chunk_upserts"] += 1
            if slow:
                time.sleep(slow)
            if seen["chunk_upserts"] == fail_at:
                fn = _half_then_enospc(fn)
        if markers:
            say(f"@op {os.getpid()} {name}")
        result = original(self, fn, *args, **kwargs)
        if markers:
            say(f"@end {os.getpid()} {name}")
        return result

    Store._call = call  # type: ignore[method-assign]


def _half_then_enospc(upsert: Any) -> Any:
    def failing(**kwargs: Any) -> Any:
        half = max(1, len(kwargs["ids"]) // 2)
        upsert(**{k: v[:half] for k, v in kwargs.items()})
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return failing


def _child(request: dict[str, Any]) -> int:
    """In the forked child: redirect output, patch, run the CLI; returns its exit code."""
    marker_fd = os.dup(_OUT)

    def say(line: str) -> None:
        _say(line, marker_fd)

    for stream, target in ((1, request.get("stdout")), (2, request.get("stderr"))):
        if target:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, stream)
            os.close(fd)
    say(f"@pid {os.getpid()}")
    os.environ.update({k: str(v) for k, v in request.get("env", {}).items()})
    _instrument(request, say)
    from ui.cli import main

    try:
        return main(request["argv"])
    except SystemExit as exc:
        return int(exc.code or 0)


def _reap(running: set[int]) -> None:
    while running:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        running.discard(pid)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        _say(f"@done {pid} {code}")


def serve() -> None:
    """Read requests from stdin; fork a child per request; report how each ended.

    Single-threaded on purpose (``select`` plus non-blocking ``waitpid``): forking a
    process that runs other threads could copy a lock one of them holds.
    """
    # Everything the CLI imports, loaded once before any fork.
    import chromadb  # noqa: F401
    import langchain_huggingface  # noqa: F401
    import sentence_transformers  # noqa: F401

    import ingest.pipeline  # noqa: F401
    import ui.cli  # noqa: F401
    import vectorstore.check
    import vectorstore.store  # noqa: F401

    running: set[int] = set()
    pending = b""
    _say("@ready")
    while True:
        ready, _, _ = select.select([0], [], [], 0.02)
        _reap(running)
        if not ready:
            continue
        data = os.read(0, 65536)
        if not data:  # the test closed our stdin: wait for the children, then leave
            while running:
                time.sleep(0.05)
                _reap(running)
            return
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line.strip():
                running.add(_fork(json.loads(line)))


def _fork(request: dict[str, Any]) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 1  # the child: run the CLI, never return into the loop
    try:
        code = _child(request)
    except BaseException as exc:  # a traceback is a test failure: show it
        import traceback

        traceback.print_exc()
        _say(f"@crash {os.getpid()} {type(exc).__name__}: {exc}")
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    serve()
