"""``make bench``: every benchmark in order, then the summary table and the chart.

The full-corpus store built by the ingest benchmark is reused by the query, answer
and cold-start benchmarks. A failing benchmark is reported and the others still run.

    .venv/bin/python bench/run_all.py [--skip NAME ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, WORK, child_env

HERE = Path(__file__).resolve().parent
HOME = WORK / "ingest" / "home"
STEPS = {
    "ingest": [str(HERE / "bench_ingest.py"), "--home", str(HOME)],
    "query": [str(HERE / "bench_query.py"), "--home", str(HOME)],
    "cold_start": [str(HERE / "bench_cold.py"), "--home", str(HOME)],
    "answer": [str(HERE / "bench_answer.py"), "--home", str(HOME)],
    "scale": [str(HERE / "bench_scale.py")],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", nargs="*", default=[], choices=list(STEPS))
    args = parser.parse_args(argv)
    durations: dict[str, float] = {}
    failed = []
    began = time.perf_counter()
    for name, argv_ in STEPS.items():
        if name in args.skip:
            continue
        print(f"== {name}", file=sys.stderr, flush=True)
        t = time.perf_counter()
        done = subprocess.run([sys.executable, *argv_], env=child_env(), stdout=subprocess.DEVNULL)
        durations[name] = round(time.perf_counter() - t, 1)
        if done.returncode != 0:
            failed.append(name)
            print(f"== {name} FAILED ({done.returncode})", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, str(HERE / "report.py")], env=child_env(), check=True)
    durations["total"] = round(time.perf_counter() - began, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "durations.json").write_text(
        json.dumps({"seconds": durations, "failed": failed}, indent=2) + "\n"
    )
    print(f"bench done in {durations['total'] / 60:.1f} min; failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
