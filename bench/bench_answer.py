"""Answer latency with the default local model (issue target 4), in a warm process.

One process loads the store and the default GGUF (Qwen2.5-Coder-1.5B-Instruct
Q4_K_M), answers one warm-up question (model load, system prompt into the KV
cache), then streams answers to the first N dev questions through
``rag.stream_answer`` and records, from the moment each question is asked: the
``Retrieval`` event (the sources), the first generated token and the finished
answer. The process's RSS is read at the end, with the model loaded.

    .venv/bin/python bench/bench_answer.py --home bench/results/tmp/ingest/home

Data: MultiHop-RAG (Tang & Yang, COLM 2024), ODC-BY 1.0.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CORPUS,
    CREDIT,
    DEV_QUESTIONS,
    ROOT,
    WORK,
    current_rss_mb,
    ensure_store,
    ms,
    peak_rss_mb,
    percentile,
    write_result,
)


def default_model() -> Path:
    """The joined default GGUF in the repo's data dir (joined once if missing)."""
    from rag.model_files import default_gguf

    return default_gguf(ROOT / ".newsqa" / "models")


def ask(settings: Any, question: str) -> dict[str, Any]:
    """Stream one answer; seconds to the sources, the first token and the end."""
    from rag.answer import stream_answer
    from rag.types import Answer, Retrieval

    began = time.perf_counter()
    marks: dict[str, float] = {}
    final: Answer | None = None
    for event in stream_answer(question, settings=settings):
        now = time.perf_counter() - began
        if isinstance(event, Retrieval):
            marks.setdefault("sources_s", now)
        elif isinstance(event, Answer):
            final = event
        elif event.strip():
            marks.setdefault("first_token_s", now)
    marks["total_s"] = time.perf_counter() - began
    assert final is not None
    return {
        **{k: round(v, 3) for k, v in marks.items()},
        "declined": final.declined,
        "answer": final.text[:200],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="data dir holding the corpus (built if missing)")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--gguf", help="model file (default: the packaged default model)")
    # The first token does not depend on the cap; a short cap keeps `make bench` in time.
    parser.add_argument("--max-tokens", type=int, default=48, help="answer length cap")
    args = parser.parse_args(argv)
    home = Path(args.home) if args.home else WORK / "ingest" / "home"
    ensure_store(home, CORPUS)

    from newsqa.settings import Settings

    gguf = Path(args.gguf) if args.gguf else default_model()
    settings = Settings(home=home, llm="local", gguf=gguf, max_tokens=args.max_tokens)
    rss_before = current_rss_mb()
    with DEV_QUESTIONS.open(encoding="utf-8") as stream:
        rows = [json.loads(line) for line in stream if line.strip()]
    questions = [r["question"] for r in rows if r["type"] != "null"][: args.questions]

    began = time.perf_counter()
    warm = ask(settings, "Who rejected Putin's offer?")
    warm["wall_s"] = round(time.perf_counter() - began, 3)
    runs = []
    for n, q in enumerate(questions, 1):
        runs.append({"question": q, **ask(settings, q)})
        print(f"[answer] {n}/{len(questions)}", file=sys.stderr, flush=True)
    answered = [r for r in runs if "first_token_s" in r]
    result = {
        "data": f"{CORPUS.name}: {CREDIT}",
        "model": gguf.name,
        "settings": {
            "n_ctx": settings.n_ctx,
            "max_tokens": settings.max_tokens,
            "top_k": settings.top_k,
        },
        "warmup": warm,
        "questions": len(runs),
        "sources_p50_ms": ms(percentile([r["sources_s"] for r in runs], 0.5)),
        "sources_max_ms": ms(max(r["sources_s"] for r in runs)),
        "first_token_p50_s": round(percentile([r["first_token_s"] for r in answered], 0.5), 2),
        "first_token_p95_s": round(percentile([r["first_token_s"] for r in answered], 0.95), 2),
        "total_p50_s": round(percentile([r["total_s"] for r in runs], 0.5), 2),
        "rss_mb_before_model": rss_before,
        "rss_mb_serving": current_rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
        "targets": {"sources_s": 0.5, "first_token_p50_s": 6.0, "rss_mb": 3072},
        "runs": runs,
    }
    write_result("answer", result)
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
