"""Where reports disagree (issue 12 part 3): conflicts shown and false conflicts.

For each written case of ``tests/data/conflicts/cases.jsonl`` (two articles that
disagree on one value, or agree), the two articles are ingested into a fresh store
with the real embedder; the question is answered up to the evidence step as the
answer pipeline does it (``Retriever.search``, ``classify``, ``budget_for``,
``select_evidence``) and :func:`rag.conflicts.find_conflicts` runs on that evidence.

* conflicts shown: share of conflict cases with a conflict naming both expected values
  (target >= 0.85);
* false conflicts: share of agreement cases with any conflict (target <= 0.1).

    .venv/bin/python bench/bench_conflicts.py --out bench/results/conflicts.json

Data: articles edited from MultiHop-RAG (Tang & Yang, COLM 2024), ODC-BY 1.0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import os

from common import CREDIT, ROOT, machine

CASES = ROOT / "tests" / "data" / "conflicts" / "cases.jsonl"
TARGET_SHOWN = 0.85
TARGET_FALSE = 0.1


def value_numbers(texts: list[str]) -> set[str]:
    """The numbers of value texts ("$1.45 billion" -> "1.45"); word counts as words."""
    from rag.text import numbers

    out: set[str] = set()
    for text in texts:
        out |= numbers(text) or {text.split()[0].lower()}
    return out


def evidence_for(case: dict[str, Any], home: Path, embedder: Any) -> list[Any]:
    """The evidence sentences the answer pipeline would read for the case's question."""
    from ingest.pipeline import ingest
    from newsqa.settings import Settings
    from rag.evidence import budget_for, select_evidence
    from rag.retrieve import Retriever
    from rag.understand import classify
    from vectorstore.store import Store

    records = home / "articles.jsonl"
    records.write_text("\n".join(json.dumps(a) for a in case["articles"]), encoding="utf-8")
    settings = Settings(home=home, llm="extractive", progress=False)
    store = Store(settings, embedder)
    ingest([str(records)], store)
    question = case["question"]
    found = Retriever(store).search(question, k=settings.top_k)
    kind = classify(question)
    budget = budget_for(kind.kind)
    return select_evidence(
        question,
        found.passages,
        budget.chars,
        budget.min_articles,
        budget.by_date,
        speaker=kind.speaker,
    )


def run(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Every case through retrieval, evidence and conflict detection."""
    from rag.conflicts import describe, find_conflicts
    from vectorstore.embeddings import Embedder

    embedder = Embedder()
    rows = []
    for case in cases:
        began = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="conflicts-") as tmp:
            evidence = evidence_for(case, Path(tmp), embedder)
        seconds = time.perf_counter() - began
        t0 = time.perf_counter()
        conflicts = find_conflicts(case["question"], evidence)
        detect_ms = (time.perf_counter() - t0) * 1000
        numbers = {s: i + 1 for i, s in enumerate(evidence)}
        note = describe(conflicts, numbers.get)
        wanted = value_numbers(case["values"])
        right = any(value_numbers([t for _, t in c.items]) >= wanted for c in conflicts)
        articles = {s.passage.article_id for s in evidence}
        rows.append(
            {
                "id": case["id"],
                "conflict": case["conflict"],
                "flagged": bool(conflicts),
                "right_values": right if case["conflict"] else None,
                "evidence_articles": len(articles),
                "note": note,
                "seconds": round(seconds, 2),
                "detect_ms": round(detect_ms, 2),
            }
        )
    conflict_rows = [r for r in rows if r["conflict"]]
    agreement_rows = [r for r in rows if not r["conflict"]]
    shown = sum(r["right_values"] for r in conflict_rows) / len(conflict_rows)
    false = sum(r["flagged"] for r in agreement_rows) / len(agreement_rows)
    return {
        "cases": {"conflict": len(conflict_rows), "agreement": len(agreement_rows)},
        "conflicts_shown": round(shown, 3),
        "false_conflicts": round(false, 3),
        "targets": {"conflicts_shown": TARGET_SHOWN, "false_conflicts": TARGET_FALSE},
        "met": shown >= TARGET_SHOWN and false <= TARGET_FALSE,
        "flagged_any_in_conflict_cases": round(
            sum(r["flagged"] for r in conflict_rows) / len(conflict_rows), 3
        ),
        "both_articles_in_evidence": round(
            sum(r["evidence_articles"] == 2 for r in rows) / len(rows), 3
        ),
        "detect_ms_max": max(r["detect_ms"] for r in rows),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "conflicts.json")
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines()]
    cases = cases[: args.limit] if args.limit else cases
    began = time.perf_counter()
    result = run(cases)
    result["seconds"] = round(time.perf_counter() - began, 1)
    result["data"] = f"tests/data/conflicts/cases.jsonl, edited from {CREDIT}"
    print(f"{'case':10} {'kind':9} {'flagged':7} {'right':5}  note")
    for row in result["rows"]:
        kind = "conflict" if row["conflict"] else "agreement"
        right = "-" if row["right_values"] is None else ("yes" if row["right_values"] else "NO")
        print(f"{row['id']:10} {kind:9} {row['flagged']!s:7} {right:5}  {row['note'][:90]}")
    print(
        f"\nconflicts shown {result['conflicts_shown']:.3f} (>= {TARGET_SHOWN}), "
        f"false conflicts {result['false_conflicts']:.3f} (<= {TARGET_FALSE}), "
        f"{result['cases']['conflict']} + {result['cases']['agreement']} cases, "
        f"{result['seconds']} s"
    )
    payload = {"benchmark": "conflicts", "machine": machine(), **result}
    payload["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
