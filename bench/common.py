"""Shared helpers of the benchmarks: the machine block, result files, child processes.

Every benchmark writes ``bench/results/NAME.json`` with a ``machine`` block (CPU,
cores, RAM, Python, library versions, load average) so a figure is never read
without the machine it came from. Speed claims are ratios against a baseline run in
the same script run: these 2-core machines are shared and noisy.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WORK = RESULTS / "tmp"  # stores and copies built by the benchmarks (git-ignored)
DATA = ROOT.parent / "shared" / "eval" / "multihop"
CORPUS = DATA / "corpus.jsonl"
DEV_ARTICLES = DATA / "dev-articles.jsonl"
DEV_QUESTIONS = DATA / "dev-questions.jsonl"
NEWSQA = shutil.which("newsqa", path=str(Path(sys.executable).parent)) or "newsqa"
CREDIT = "MultiHop-RAG (Tang & Yang, COLM 2024), ODC-BY 1.0"
_LIBRARIES = (
    "onnxruntime",
    "tokenizers",
    "torch",
    "sentence-transformers",
    "transformers",
    "chromadb",
    "langchain-core",
    "langchain-huggingface",
    "langchain-chroma",
    "llama_cpp_python",
    "numpy",
)
sys.path.insert(0, str(ROOT))


def machine() -> dict[str, Any]:
    """CPU, cores, RAM, OS, Python and library versions, and the current load."""
    cpu = "unknown"
    flags: list[str] = []
    with open("/proc/cpuinfo") as stream:
        for line in stream:
            if line.startswith("model name") and cpu == "unknown":
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                have = set(line.split(":", 1)[1].split())
                flags = sorted(have & {"avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16"})
    mem_kb = 0
    with open("/proc/meminfo") as stream:
        for line in stream:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    versions: dict[str, str | None] = {}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "cpu_flags": flags,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": versions,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "note": "shared machine: compare figures only with baselines from the same run",
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    """Write ``bench/results/NAME.json`` (with the machine block) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **data}
    payload["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return path


def read_result(name: str) -> dict[str, Any] | None:
    """A result written earlier, or ``None``."""
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child: offline, no analytics, no inherited NEWSQA_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        TOKENIZERS_PARALLELISM="true",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_child(
    argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 1800.0
) -> dict[str, Any]:
    """Run a child process: its stdout (parsed when JSON), wall time and peak RSS.

    The peak RSS comes from ``wait4`` on that child, so it is the child's own
    maximum resident set (what ``/usr/bin/time -v`` reports), not the benchmark's.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or child_env()
    )
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: Any) -> None:
        chunks[name] = stream.read()

    readers = [
        threading.Thread(target=drain, args=("out", proc.stdout), daemon=True),
        threading.Thread(target=drain, args=("err", proc.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    wall = time.perf_counter() - started
    out, err = chunks.get("out", b"").decode(), chunks.get("err", b"").decode()
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, argv[:4]))} failed ({proc.returncode}): {err[-3000:]}"
        )
    try:
        parsed: Any = json.loads(out)
    except ValueError:
        parsed = out
    return {
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        # CPU seconds (all threads): other tenants stretch wall time far more than this
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "output": parsed,
        "stderr_tail": err[-500:],
    }


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB (Linux reports KB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_rss_mb() -> float:
    """This process's resident set size now, in MB."""
    with open("/proc/self/status") as stream:
        for line in stream:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation; ``nan`` for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1])


def ms(seconds: float) -> float:
    """Seconds as milliseconds, rounded to 0.1."""
    return round(seconds * 1000, 1)


def ensure_store(home: Path, articles: Path = CORPUS) -> dict[str, Any]:
    """Ingest ``articles`` into ``home`` (a no-op re-ingest when already there)."""
    got = run_child(
        [NEWSQA, "--home", str(home), "ingest", "--json", "--no-progress", str(articles)],
        env=child_env(NEWSQA_LLM="extractive"),
    )
    return got["output"] if isinstance(got["output"], dict) else {}
