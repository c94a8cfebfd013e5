"""Cold start of ``newsqa ask`` (issue target 5): process start -> sources printed.

Each run starts a fresh ``newsqa ask "..."`` (default local backend, full-corpus
store) and reads its stdout; the clock stops when the "Sources:" block arrives,
which ``ask`` prints as soon as retrieval is done, before the model loads. The
process is then stopped (the answer itself is target 4's business). Also measured:
a bare ``python -c pass`` (the interpreter's own start, the floor), and, in one
extractive ``ask`` in-process, whether torch was imported (it must not be).

    .venv/bin/python bench/bench_cold.py --home bench/results/tmp/ingest/home
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CORPUS,
    NEWSQA,
    ROOT,
    WORK,
    child_env,
    ensure_store,
    percentile,
    write_result,
)

QUESTIONS = [
    "Who rejected Putin's offer?",
    "What did TechCrunch report about OpenAI's board in November 2023?",
    "How did the Federal Reserve's interest rate decisions affect markets?",
    "Which company did Sam Bankman-Fried found?",
    "What happened to Taylor Swift's Eras Tour schedule?",
]
_TORCH_CHECK = """
import sys
from ui.cli import main
main(["--home", sys.argv[1], "ask", "--llm", "extractive", sys.argv[2]])
print("TORCH", "torch" in sys.modules, "ONNXRUNTIME", "onnxruntime" in sys.modules)
"""


def time_to_sources(home: Path, question: str, env: dict[str, str]) -> float:
    """Seconds from spawning ``newsqa ask`` to its "Sources:" line on stdout."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [NEWSQA, "--home", str(home), "ask", question],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("Sources"):
                return time.perf_counter() - began
        raise RuntimeError(f"no sources printed: {proc.stderr.read() if proc.stderr else ''}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="data dir holding the corpus (built if missing)")
    args = parser.parse_args(argv)
    home = Path(args.home) if args.home else WORK / "ingest" / "home"
    ensure_store(home, CORPUS)
    from rag.model_files import default_gguf

    env = child_env(NEWSQA_GGUF=str(default_gguf(ROOT / ".newsqa" / "models")))

    floor = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
        floor.append(time.perf_counter() - began)
    runs = [time_to_sources(home, q, env) for q in QUESTIONS]
    check = subprocess.run(
        [sys.executable, "-c", _TORCH_CHECK, str(home), QUESTIONS[0]],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=ROOT,
    )
    last = check.stdout.strip().splitlines()[-1].split()
    result: dict[str, Any] = {
        "command": 'newsqa ask "QUESTION" (default local backend, full-corpus store)',
        "runs_s": [round(r, 3) for r in runs],
        "p50_s": round(percentile(runs, 0.5), 3),
        "max_s": round(max(runs), 3),
        "python_startup_s": round(min(floor), 3),
        "torch_imported": last[1] == "True",
        "onnxruntime_imported": last[3] == "True",
        "target_s": 5.0,
    }
    write_result("cold_start", result)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
