#!/usr/bin/env python3
"""Check the "ordinary questions" evaluation set (questions.jsonl) against the corpus.

Usage:
    python tests/data/ordinary/check_questions.py [CORPUS_JSONL]

CORPUS_JSONL defaults to ``<repo root>/../shared/eval/multihop/corpus.jsonl`` and, when
that file is absent (e.g. in a fresh clone), to the vendored ``articles.jsonl`` next to
this script. Exits non-zero (AssertionError) on the first violated rule and prints the
counts per type and split when everything passes.
"""

from __future__ import annotations

import collections
import datetime
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "eval" / "multihop" / "corpus.jsonl"
VENDORED = HERE / "articles.jsonl"
QUESTIONS = HERE / "questions.jsonl"

TYPES = (
    "factoid",
    "attribution",
    "summary",
    "time",
    "yesno",
    "comparison",
    "followup",
    "unanswerable",
    "outlet_word",
    "informal",
)
MIN_PER_TYPE = 15
MIN_UNANSWERABLE = 30
MIN_TOTAL = 210
MIN_TEST = 70
MIN_ARTICLES = 80
MIN_FALSE_PREMISES = 6  # yes/no questions answered "No"
UNANSWERABLE = "Insufficient information."
FIELDS = {
    "id",
    "split",
    "type",
    "question",
    "answer",
    "accept",
    "evidence",
    "as_of",
    "history",
    "speaker",
    "note",
}


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        corpus_path = Path(argv[1])
    elif DEFAULT_CORPUS.exists():
        corpus_path = DEFAULT_CORPUS
    else:
        corpus_path = VENDORED
    corpus = {a["id"]: a for a in load_jsonl(corpus_path)}
    bodies = {k: collapse(a["body"]) for k, a in corpus.items()}
    questions = load_jsonl(QUESTIONS)
    vendored = load_jsonl(VENDORED)

    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids)), "duplicate question ids"
    for q in questions:
        qid = q["id"]
        assert re.fullmatch(r"oq-\d{3}", qid), f"{qid}: bad id"
        assert set(q) <= FIELDS, f"{qid}: unknown fields {set(q) - FIELDS}"
        assert q["split"] in ("dev", "test"), f"{qid}: bad split"
        assert q["type"] in TYPES, f"{qid}: bad type {q['type']}"
        assert q["question"].strip() and q["answer"].strip(), f"{qid}: empty question/answer"
        assert isinstance(q["accept"], list), f"{qid}: accept must be a list"
        assert q.get("note", "").strip(), f"{qid}: missing note"
        assert q["evidence"], f"{qid}: no evidence"
        for ev in q["evidence"]:
            aid = ev["article_id"]
            assert aid in bodies, f"{qid}: unknown article {aid}"
            fact = ev.get("fact")
            if fact:  # unanswerable items may carry an empty fact
                assert collapse(fact) in bodies[aid], (
                    f"{qid}: fact not verbatim in {aid}: {fact[:80]!r}"
                )
            else:
                assert q["type"] == "unanswerable", f"{qid}: empty fact"
        # type-specific fields
        if q["type"] == "time":
            assert "as_of" in q, f"{qid}: time question without as_of"
        if "as_of" in q:
            day = datetime.date.fromisoformat(q["as_of"])
            assert datetime.date(2023, 9, 26) <= day <= datetime.date(2024, 1, 31), (
                f"{qid}: as_of out of range"
            )
        if q["type"] == "followup":
            hist = q.get("history")
            assert (
                isinstance(hist, list) and 1 <= len(hist) <= 2 and all(h.strip() for h in hist)
            ), f"{qid}: followup needs 1-2 earlier turns"
        else:
            assert "history" not in q, f"{qid}: history only on followups"
        if q["type"] == "attribution":
            assert q.get("speaker", "").strip(), f"{qid}: attribution without speaker"
        else:
            assert "speaker" not in q, f"{qid}: speaker only on attribution questions"
        if q["type"] == "unanswerable":
            assert q["answer"] == UNANSWERABLE, (
                f"{qid}: unanswerable answer must be {UNANSWERABLE!r}"
            )
        else:
            assert q["answer"] != UNANSWERABLE, (
                f"{qid}: only unanswerable items may be unanswerable"
            )
        if q["type"] == "yesno":
            assert q["answer"] in ("Yes", "No"), f"{qid}: yes/no answer must be Yes or No"

    by_type = collections.Counter(q["type"] for q in questions)
    by_split = collections.Counter(q["split"] for q in questions)
    by_type_split = collections.Counter((q["type"], q["split"]) for q in questions)
    assert len(questions) >= MIN_TOTAL, f"only {len(questions)} questions"
    for t in TYPES:
        assert by_type[t] >= MIN_PER_TYPE, f"type {t}: only {by_type[t]}"
        assert by_type_split[(t, "dev")] and by_type_split[(t, "test")], (
            f"type {t} missing from a split"
        )
    assert by_type["unanswerable"] >= MIN_UNANSWERABLE, "too few unanswerable questions"
    assert by_split["test"] >= MIN_TEST, f"only {by_split['test']} test questions"
    false_premises = sum(1 for q in questions if q["type"] == "yesno" and q["answer"] == "No")
    assert false_premises >= MIN_FALSE_PREMISES, "too few 'No' (false-premise) yes/no questions"

    used = {ev["article_id"] for q in questions for ev in q["evidence"]}
    assert len(used) >= MIN_ARTICLES, f"only {len(used)} distinct evidence articles"
    vend_ids = [a["id"] for a in vendored]
    assert vend_ids == sorted(vend_ids), "articles.jsonl not sorted by id"
    assert set(vend_ids) == used, "articles.jsonl must hold exactly the evidence articles"
    for art in vendored:
        assert art == corpus[art["id"]], f"articles.jsonl: {art['id']} differs from the corpus"
    outlets = {corpus[a]["source"] for a in used}

    print(f"corpus: {corpus_path} ({len(corpus)} articles)")
    print(f"questions: {len(questions)}  evidence articles: {len(used)}  outlets: {len(outlets)}")
    print(f"{'type':<14}{'dev':>5}{'test':>6}{'total':>7}")
    for t in TYPES:
        print(
            f"{t:<14}{by_type_split[(t, 'dev')]:>5}{by_type_split[(t, 'test')]:>6}{by_type[t]:>7}"
        )
    print(f"{'all':<14}{by_split['dev']:>5}{by_split['test']:>6}{len(questions):>7}")
    print(
        f"yes/no answered 'No': {false_premises}; with as_of: {sum('as_of' in q for q in questions)}"
    )
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
