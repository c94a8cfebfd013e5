"""`newsqa eval` metrics on a tiny fixture, checked against values worked out by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.eval import EvalConfig, EvalQuestion, is_correct, normalize_answer, run_eval, verdict
from rag.types import Answer, Citation, Passage

BODIES = {
    "a1": "Intro line. Sam Bankman-Fried founded FTX in 2019. He was convicted in November.",
    "a2": "The Verge said eBay fees rose. Discogs kept its fees flat this year.",
    "a3": "Rates were held on Tuesday. Markets calmed after the decision.",
}
F1, F2 = "Sam Bankman-Fried founded FTX in 2019.", "He was convicted in November."
F3, F4 = "The Verge said eBay fees rose.", "Discogs kept its fees flat this year."
F5 = "Rates were held on Tuesday."
QUESTIONS = [
    {
        "id": "q1",
        "question": "Who founded FTX?",
        "answer": "Sam Bankman-Fried",
        "type": "inference",
        "evidence": [{"article_id": "a1", "fact": F1}, {"article_id": "a1", "fact": F2}],
    },
    {
        "id": "q2",
        "question": "Did fees differ?",
        "answer": "Yes",
        "type": "comparison",
        "evidence": [{"article_id": "a2", "fact": F3}, {"article_id": "a2", "fact": F4}],
    },
    {
        "id": "q3",
        "question": "Were rates cut?",
        "answer": "No",
        "type": "temporal",
        "evidence": [{"article_id": "a3", "fact": F5}],
    },
    {
        "id": "q4",
        "question": "Who won the cup?",
        "answer": "Insufficient information.",
        "type": "null",
        "evidence": [],
    },
]
FILLER = "Unrelated   filler text."
# Ranked chunk texts per question: q1 finds F1 at rank 2 and F2 (with odd spacing) at
# rank 6; q2 finds only F3, at rank 5; q3 finds nothing; q4 is null.
RETRIEVED = {
    "Who founded FTX?": [
        FILLER,
        "x " + F1,
        FILLER,
        FILLER,
        FILLER,
        "He was\nconvicted  in November.",
    ],
    "Did fees differ?": [FILLER] * 4 + [F3] + [FILLER] * 5,
    "Were rates cut?": [FILLER] * 10,
    "Who won the cup?": [FILLER] * 3,
}


def _citation(article: str, quote: str, shift: int = 0) -> Citation:
    start = BODIES[article].index(quote) + shift
    return Citation(
        1, article, "t", None, None, None, quote, f"{article}:0", start, start + len(quote)
    )


ANSWERS = {
    # correct, one sentence, cited verbatim
    "Who founded FTX?": Answer("q", "It was Sam Bankman-Fried [1].", [_citation("a1", F1)]),
    # wrong verdict, two sentences, one cited with offsets that do not match the body
    "Did fees differ?": Answer(
        "q", "No, they did not. Discogs kept its fees flat [1].", [_citation("a2", F4, shift=1)]
    ),
    # an answerable question declined: wrong, and counts as a decline
    "Were rates cut?": Answer("q", "The ingested articles don't cover this.", declined=True),
    # a null question declined: right
    "Who won the cup?": Answer("q", "The ingested articles don't cover this.", declined=True),
}


def _passages(question: str, k: int) -> list[Passage]:
    return [
        Passage(f"c{i}", "x", t, "t", None, None, None, 0, len(t))
        for i, t in enumerate(RETRIEVED[question][:k])
    ]


@pytest.fixture
def fixture_files(tmp_path: Path) -> tuple[Path, Path]:
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        "".join(
            json.dumps(
                {
                    "id": i,
                    "title": f"T {i}",
                    "body": b,
                    "source": "Wire",
                    "published_at": "2023-10-01",
                }
            )
            + "\n"
            for i, b in BODIES.items()
        )
    )
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS))
    return articles, questions


def test_every_metric_matches_hand_computed_values(
    fixture_files: tuple[Path, Path], tmp_path: Path
) -> None:
    articles, questions = fixture_files
    config = EvalConfig(articles, questions, tmp_path / "store", tmp_path / "out", k=10, llm="fake")
    summary = run_eval(config, ANSWERS.__getitem__, _passages)

    r = summary["retrieval"]["all"]
    assert r["questions"] == 3
    assert r["hits@4"] == pytest.approx(1 / 3, abs=1e-4)  # only q1 (rank 2)
    assert r["hits@10"] == pytest.approx(2 / 3, abs=1e-4)  # q1 and q2 (rank 5)
    assert r["mrr@10"] == pytest.approx((1 / 2 + 1 / 5 + 0) / 3, abs=1e-4)
    assert r["evidence_recall@10"] == pytest.approx(3 / 5, abs=1e-4)  # F1, F2, F3 of 5
    assert r["all_evidence@10"] == pytest.approx(1 / 3, abs=1e-4)  # only q1
    assert summary["retrieval"]["temporal"]["hits@10"] == 0.0

    a = summary["answers"]
    assert a["accuracy"] == 0.5  # q1 and q4
    assert a["accuracy_by_type"] == {
        "inference": 1.0,
        "comparison": 0.0,
        "temporal": 0.0,
        "null": 1.0,
    }
    assert a["decline_rate_answerable"] == pytest.approx(1 / 3, abs=1e-4)
    assert a["cited_sentence_share"] == pytest.approx(2 / 3, abs=1e-4)  # 2 of 3 sentences
    assert a["citations_verbatim"] == 0.5  # q2's offsets are off by one

    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [row["id"] for row in report["rows"]] == ["q1", "q2", "q3", "q4"]
    assert report["rows"][0]["retrieved"][1]["text"] == "x " + F1
    assert (
        "| all | 3 | 0.33 | 0.67 | 0.23 | 0.60 | 0.33 |"
        in (tmp_path / "out" / "summary.md").read_text()
    )
    assert (tmp_path / "out" / "by_type.png").read_bytes()[:4] == b"\x89PNG"


def test_rerun_resumes_without_recomputing(
    fixture_files: tuple[Path, Path], tmp_path: Path
) -> None:
    articles, questions = fixture_files
    config = EvalConfig(articles, questions, tmp_path / "store", tmp_path / "out", k=10, llm="fake")
    calls: list[str] = []

    def answer(question: str) -> Answer:
        calls.append(question)
        return ANSWERS[question]

    run_eval(EvalConfig(**{**config.__dict__, "limit": 2}), answer, _passages)  # "interrupted"
    assert len(calls) == 2
    first = run_eval(config, answer, _passages)
    assert len(calls) == 4, "only the two missing questions were answered"
    assert first["answers"]["accuracy"] == 0.5


def test_answer_rules() -> None:
    assert normalize_answer("The  Sam Bankman-Fried!") == "sam bankmanfried"
    assert verdict("Yes, it changed; no doubt.") == "yes" and verdict("Nothing said") is None
    assert is_correct(EvalQuestion("i", "?", "Yes", "comparison"), "Yes [1], they agree.", False)
    assert not is_correct(EvalQuestion("i", "?", "Yes", "comparison"), "Yes.", True)
    assert is_correct(
        EvalQuestion("i", "?", "Consistent", "temporal"), "It stayed consistent.", False
    )
    assert is_correct(EvalQuestion("i", "?", "Insufficient information.", "null"), "n/a", True)


@pytest.mark.slow
def test_cli_runs_eval_on_a_real_store(fixture_files: tuple[Path, Path], tmp_path: Path) -> None:
    articles, questions = fixture_files
    out = tmp_path / "cli-out"
    cmd = [
        sys.executable,
        "-m",
        "ui.cli",
        "--home",
        str(tmp_path / "home"),
        "eval",
        "--articles",
        str(articles),
        "--questions",
        str(questions),
        "--llm",
        "extractive",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    rows = {r["id"]: r for r in report["rows"]}
    assert rows["q1"]["retrieval"]["hit@10"] == 1.0, "the founding fact is in the tiny corpus"
    assert rows["q4"]["answer"] is not None
    assert report["summary"]["answers"]["citations_verbatim"] in (None, 1.0)
    assert "eval store" in done.stderr and "added 3" in done.stderr
