"""Process helpers for the reliability tests: the forking CLI driver and `chroma run`."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import ROOT, subprocess_env, wait_for_port

DRIVER = Path(__file__).with_name("rel_driver.py")


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a CLI process: offline, no telemetry, its own data dir."""
    # torch is imported once in the driver; the default (ONNX) would export a 90 MB
    # model into every test's data dir first (the load test covers that default).
    return subprocess_env(home, **{"NEWSQA_EMBEDDER": "torch", **extra})


@dataclass
class Run:
    """One CLI run in a forked child: its pid, its markers, how it ended."""

    pid: int
    stdout: Path
    stderr: Path
    lines: list[str] = field(default_factory=list)
    code: int | None = None
    inbox: queue.Queue[str] = field(default_factory=queue.Queue, repr=False)

    @property
    def ops(self) -> list[str]:
        """Chroma calls started, in order (from ``@op`` markers)."""
        return [line.split(" ", 2)[2] for line in self.lines if line.startswith("@op ")]

    @property
    def output(self) -> str:
        """What the CLI printed on stdout."""
        return self.stdout.read_text(errors="replace") if self.stdout.exists() else ""

    @property
    def errors(self) -> str:
        """What the CLI printed on stderr."""
        return self.stderr.read_text(errors="replace") if self.stderr.exists() else ""


class Zygote:
    """The forking driver (see ``rel_driver.py``): one warm process, a child per run."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self._log = (workdir / "driver.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=ROOT,
            env=child_env(workdir / "unused-home"),
        )
        self._started: queue.Queue[str | None] = queue.Queue()
        self._runs: dict[int, Run] = {}
        self._early: dict[int, list[str]] = {}  # lines of children not registered yet
        self._lock = threading.Lock()
        self._count = 0
        threading.Thread(target=self._pump, daemon=True).start()
        line = self._started.get(timeout=180)
        assert line == "@ready", f"driver did not start: {line}"

    def _pump(self) -> None:
        """Route the driver's lines: start-up lines to the caller, the rest per child."""
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            if line == "@ready" or line.startswith("@pid "):
                self._started.put(line)
                continue
            parts = line.split(" ", 2)
            if len(parts) < 2 or not parts[1].isdigit():
                continue
            pid = int(parts[1])
            with self._lock:
                run = self._runs.get(pid)
                if run is None:  # the child spoke before start() registered it
                    self._early.setdefault(pid, []).append(line)
                    continue
            run.inbox.put(line)
        self._started.put(None)

    def start(self, argv: list[str], env: dict[str, str], **options: Any) -> Run:
        """Fork a child running ``newsqa ARGV``; returns once it has started."""
        assert self.proc.stdin is not None
        with self._lock:
            self._count += 1
            n = self._count
        out, err = self.workdir / f"run-{n}.out", self.workdir / f"run-{n}.err"
        request = {"argv": argv, "env": env, "stdout": str(out), "stderr": str(err), **options}
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        self.proc.stdin.flush()
        line = self._started.get(timeout=60)
        if line is None:
            raise RuntimeError(f"the driver exited ({self.proc.poll()})")
        run = Run(int(line.split()[1]), out, err)
        with self._lock:
            self._runs[run.pid] = run
            for early in self._early.pop(run.pid, []):
                run.inbox.put(early)
        return run

    def follow(
        self,
        run: Run,
        until: int | None = None,
        timeout: float = 180,
        until_op: str | None = None,
    ) -> bool:
        """Read the child's markers until its ``until``-th ``@op`` (or the first op
        named ``until_op``): True; or until it ended: False."""
        deadline = time.monotonic() + timeout
        ops = len(run.ops)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"run {run.pid} went quiet; stderr:\n{run.errors}")
            try:
                line = run.inbox.get(timeout=min(left, 1.0))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError("the driver exited") from None
                continue
            if line.startswith("@done "):
                run.code = int(line.split()[2])
                return False
            run.lines.append(line)
            if line.startswith("@op "):
                ops += 1
                if until is not None and ops >= until:
                    return True
                if until_op is not None and line.endswith(until_op):
                    return True

    def finish(self, run: Run, timeout: float = 300) -> Run:
        """Wait for the child to end; fills ``run.code``."""
        if run.code is None:
            self.follow(run, None, timeout)
        return run

    def kill(self, run: Run) -> Run:
        """``kill -9`` the child and wait until the driver saw it end."""
        with contextlib.suppress(ProcessLookupError):  # it may have just finished
            os.kill(run.pid, signal.SIGKILL)
        return self.finish(run, 60)

    def run(self, argv: list[str], env: dict[str, str], **options: Any) -> Run:
        """Run a child to completion."""
        return self.finish(self.start(argv, env, **options))

    def close(self) -> None:
        """Stop the driver (it exits when its stdin closes and its children ended)."""
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log.close()


class ChromaServer:
    """A `chroma run` process the test may stop and restart on the same port and data."""

    def __init__(self, data: Path, port: int) -> None:
        exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which(
            "chroma"
        )
        assert exe, "the chroma CLI is not installed"
        self.exe = exe
        self.data = data
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> ChromaServer:
        """Start the server and wait until it accepts connections."""
        log = (self.data.parent / f"chroma-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(
            [
                self.exe,
                "run",
                "--path",
                str(self.data),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        log.close()
        wait_for_port(self.port, 60)
        return self

    def stop(self) -> None:
        """Terminate the server (only this process) and wait for it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
