"""Past one machine (issue target 6): a Chroma server, one ingest, 8 askers at once.

Starts ``chroma run`` on a loopback port, then at the same moment one ``newsqa
ingest`` of the 150 dev articles into it and 8 asker processes, each with its own
data dir (as separate machines would have: own lexical cache, own embedder) and
``NEWSQA_CHROMA_URL`` pointing at the server. Askers answer dev questions
(extractive backend: a local LLM per asker would only measure 8 LLMs on 2 cores)
until the ingest has finished and each has asked at least ``--min-questions``.
Reports the ingest rate, the askers' answer rate and latency, and every error.

    .venv/bin/python bench/bench_scale.py

Data: MultiHop-RAG (Tang & Yang, COLM 2024), ODC-BY 1.0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CREDIT,
    DEV_ARTICLES,
    DEV_QUESTIONS,
    NEWSQA,
    ROOT,
    WORK,
    child_env,
    ms,
    percentile,
    write_result,
)

ASKERS = 8


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    """Block until something accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def asker(
    url: str, home: Path, stop_file: Path, number: int, min_questions: int, think: float
) -> int:
    """Answer dev questions in a loop; print one JSON line of counts and latencies."""
    from newsqa.settings import Settings
    from rag.answer import Answerer

    settings = Settings(home=home, chroma_url=url, llm="extractive", collection="scale")
    with DEV_QUESTIONS.open(encoding="utf-8") as stream:
        questions = [json.loads(line)["question"] for line in stream if line.strip()]
    answerer = Answerer(settings)
    latencies: list[float] = []
    errors: list[str] = []
    declined = 0
    began = time.perf_counter()
    i = number * 7  # askers start at different questions
    while not stop_file.exists() or len(latencies) + len(errors) < min_questions:
        question = questions[i % len(questions)]
        i += 1
        t = time.perf_counter()
        try:
            declined += answerer.answer(question).declined
            latencies.append(time.perf_counter() - t)
        except Exception as exc:  # every failure is counted and shown, none stops the run
            errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
        time.sleep(think)  # a person reads the answer before asking again
    print(
        json.dumps(
            {
                "asked": len(latencies) + len(errors),
                "answered": len(latencies),
                "declined": declined,
                "errors": errors,
                "seconds": round(time.perf_counter() - began, 3),
                "latencies": [round(x, 4) for x in latencies],
            }
        )
    )
    return 0


def _link_models(source: Path, target: Path) -> None:
    """Share the exported ONNX model (hard links keep size and mtime: still valid)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("all-MiniLM-L6-v2.onnx*"):
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", default=str(DEV_ARTICLES))
    parser.add_argument("--askers", type=int, default=ASKERS)
    parser.add_argument("--limit", type=int, default=60, help="ingest the first N articles")
    parser.add_argument("--think", type=float, default=0.5, help="seconds between questions")
    parser.add_argument("--min-questions", type=int, default=3)
    parser.add_argument("--asker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--stop", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.asker is not None:
        return asker(
            args.url, Path(args.home), Path(args.stop), args.asker, args.min_questions, args.think
        )

    from vectorstore.embeddings import packaged_model_path
    from vectorstore.onnx_embedder import ensure_onnx

    work = WORK / "scale"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    models = ensure_onnx(ROOT / ".newsqa" / "models", packaged_model_path()).parent
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (work / "chroma.log").open("wb")
    server = subprocess.Popen(
        [chroma, "run", "--path", str(work / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=child_env(),
    )
    procs: list[subprocess.Popen[str]] = []
    try:
        wait_for_port(port)
        stop = work / "ingest-finished"
        articles = work / "articles.jsonl"
        with Path(args.articles).open(encoding="utf-8") as stream:
            lines = [line for line in stream if line.strip()][: args.limit]
        articles.write_text("".join(lines), encoding="utf-8")
        env = child_env(NEWSQA_CHROMA_URL=url, NEWSQA_COLLECTION="scale", NEWSQA_LLM="extractive")
        homes = [work / f"asker-{n}" for n in range(args.askers)] + [work / "ingest"]
        for home in homes:
            _link_models(models, home / "models")
        began = time.perf_counter()
        ingest = subprocess.Popen(
            [NEWSQA, "--home", str(homes[-1]), "ingest", "--json", "--no-progress", str(articles)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        me = [sys.executable, str(Path(__file__).resolve())]
        for n in range(args.askers):
            procs.append(
                subprocess.Popen(
                    [
                        *me,
                        "--asker",
                        str(n),
                        "--url",
                        url,
                        "--home",
                        str(homes[n]),
                        "--stop",
                        str(stop),
                        "--min-questions",
                        str(args.min_questions),
                        "--think",
                        str(args.think),
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                    text=True,
                )
            )
        out, err = ingest.communicate(timeout=1800)
        ingest_s = time.perf_counter() - began
        stop.touch()
        if ingest.returncode not in (0, 3):
            raise RuntimeError(f"ingest failed ({ingest.returncode}): {err[-2000:]}")
        report = json.loads(out)
        askers: list[dict[str, Any]] = []
        for proc in procs:
            a_out, a_err = proc.communicate(timeout=900)
            if proc.returncode != 0:
                askers.append({"errors": [f"asker exited {proc.returncode}: {a_err[-500:]}"]})
            else:
                askers.append(json.loads(a_out.strip().splitlines()[-1]))
        total_s = time.perf_counter() - began
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    latencies = [x for a in askers for x in a.get("latencies", [])]
    errors = [e for a in askers for e in a.get("errors", [])]
    answered = sum(a.get("answered", 0) for a in askers)
    result: dict[str, Any] = {
        "data": f"{Path(args.articles).name}: {CREDIT}",
        "setup": f"chroma run on 127.0.0.1, 1 ingest process ({args.limit} articles), "
        f"{args.askers} asker processes (extractive answers, own data dir each, "
        f"{args.think} s between questions), all at once",
        "ingest": {
            "articles": len(report["added"]) + len(report["updated"]),
            "chunks": report["chunks_written"],
            "seconds": round(ingest_s, 2),
            "chunks_per_s": round(report["chunks_written"] / ingest_s, 2),
            "failed": len(report["failed"]),
        },
        "askers": {
            "processes": args.askers,
            "answered": answered,
            "seconds": round(total_s, 2),
            "answers_per_s": round(answered / total_s, 2),
            "latency_p50_ms": ms(percentile(latencies, 0.5)),
            "latency_p95_ms": ms(percentile(latencies, 0.95)),
            "declined": sum(a.get("declined", 0) for a in askers),
        },
        "errors": len(errors),
        "error_samples": errors[:10],
    }
    write_result("scale", result)
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
