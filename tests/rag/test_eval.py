"""`newsqa eval` metrics on a tiny fixture, checked against values worked out by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag.eval import (
    EvalConfig,
    EvalQuestion,
    contains_phrase,
    is_correct,
    is_correct_ordinary,
    normalize_answer,
    percentile,
    run_eval,
    speaker_words,
    unsupported_sentences,
    verdict,
)
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


# -- the ordinary-question format ---------------------------------------------------------

O_BODIES = {
    "b1": "Bayern beat United 1-0 on Tuesday. Kane scored the winner.",
    "b2": (
        "Prosecutors said he lied. “Sam didn't defraud anyone,” said Mark Cohen. "
        "“All of it was built on lies,” the prosecutor said."
    ),
    "b3": "Kane scored once in the match.",
}
O_DATES = {"b1": "2023-11-08", "b2": "2023-10-04", "b3": "2023-11-09"}
COHEN = "“Sam didn't defraud anyone,” said Mark Cohen."
REHN = "“All of it was built on lies,” the prosecutor said."


def _q(qid: str, split: str, qtype: str, question: str, answer: str, *articles: str, **more):
    evidence = [{"article_id": a, "fact": O_BODIES[a].split(". ")[0]} for a in articles]
    return {
        "id": qid,
        "split": split,
        "type": qtype,
        "question": question,
        "answer": answer,
        "accept": more.pop("accept", []),
        "evidence": evidence,
        **more,
    }


O_QUESTIONS = [
    _q("o1", "dev", "factoid", "What was the score?", "1-0", "b1"),
    _q("o2", "test", "factoid", "who scored", "Kane", "b1", accept=["Harry Kane"]),
    _q(
        "o3",
        "dev",
        "attribution",
        "What did his lawyer say?",
        "didn't defraud anyone",
        "b2",
        speaker="Mark Cohen (defence lawyer)",
    ),
    _q(
        "o4",
        "test",
        "attribution",
        "What did Rehn say?",
        "built on lies",
        "b2",
        speaker="Thane Rehn (prosecutor)",
    ),
    _q("o5", "dev", "yesno", "Did Kane score twice?", "No", "b1", accept=["once"]),
    _q("o6", "dev", "unanswerable", "What was the attendance?", "Insufficient information.", "b1"),
    _q("o7", "test", "unanswerable", "How many fans came?", "Insufficient information.", "b1"),
    _q(
        "o8",
        "dev",
        "followup",
        "Which team did they beat?",
        "United",
        "b1",
        history=["Who won the match?", "Who scored?"],
        as_of="2023-11-08",
    ),
    _q("o9", "test", "time", "when did bayern win", "Tuesday", "b1"),
]


def _ocite(n: int, article: str, quote: str, context: str = "") -> Citation:
    start = O_BODIES[article].index(quote)
    return Citation(
        n,
        article,
        f"T {article}",
        "Wire",
        None,
        O_DATES[article],
        quote,
        f"{article}:0",
        start,
        start + len(quote),
        context,
    )


def _oanswer(text: str, citations: list[Citation], total: float, **more: Any) -> Answer:
    return Answer(
        "q", text, citations, timings={"total_s": total, **more.pop("timings", {})}, **more
    )


DECLINE = "The ingested articles don't cover this."
O_ANSWERS = {
    # wrong: "10" is not "1 0" (the MultiHop normalizer would call it right); cites the
    # gold article; its one cited sentence states 10, which the quote does not
    "What was the score?": _oanswer(
        "Bayern won 10 [1].", [_ocite(1, "b1", "Bayern beat United 1-0 on Tuesday.")], 1.0
    ),
    # right; supported by the quote plus the header (outlet Wire, November 8)
    "who scored": _oanswer(
        "Kane scored the winner, Wire reported on November 8 [1]. What a night.",
        [_ocite(1, "b1", "Kane scored the winner.")],
        2.0,
    ),
    # right and the cited quote names Mark Cohen: speaker right
    "What did his lawyer say?": _oanswer(
        "His lawyer said Sam didn't defraud anyone [1].",
        [_ocite(1, "b2", COHEN, "Prosecutors said he lied.")],
        3.0,
    ),
    # right, but nothing cited names Thane Rehn: speaker wrong
    "What did Rehn say?": _oanswer(
        "It was all built on lies [1].", [_ocite(1, "b2", REHN, COHEN)], 4.0
    ),
    # right verdict; cites a non-gold article
    "Did Kane score twice?": _oanswer(
        "No, Kane scored once [1].", [_ocite(1, "b3", "Kane scored once in the match.")], 5.0
    ),
    # unanswerable, declined: right
    "What was the attendance?": _oanswer(DECLINE, [], 6.0, declined=True),
    # unanswerable, answered: wrong, and 70,000 is in no quote
    "How many fans came?": _oanswer(
        "About 70,000 fans came [1].", [_ocite(1, "b1", "Bayern beat United 1-0 on Tuesday.")], 7.0
    ),
    # earlier turns of o8's conversation, then its final question declined (false decline)
    "Who won the match?": _oanswer("Bayern won [1].", [], 0.1),
    "Who scored?": _oanswer("Kane scored [1].", [], 0.1),
    "Which team did they beat?": _oanswer(DECLINE, [], 8.0, declined=True),
    # right; the sentence needs both markers' quotes (Tuesday from [1], Kane from [2])
    "when did bayern win": _oanswer(
        "Bayern won on Tuesday and Kane scored [1][2].",
        [
            _ocite(1, "b1", "Bayern beat United 1-0 on Tuesday."),
            _ocite(2, "b1", "Kane scored the winner."),
        ],
        9.0,
        timings={"first_token_s": 0.5},
    ),
}


@pytest.fixture
def ordinary_files(tmp_path: Path) -> tuple[Path, Path]:
    articles = tmp_path / "o-articles.jsonl"
    articles.write_text(
        "".join(
            json.dumps(
                {
                    "id": i,
                    "title": f"T {i}",
                    "body": b,
                    "source": "Wire",
                    "published_at": O_DATES[i],
                }
            )
            + "\n"
            for i, b in O_BODIES.items()
        )
    )
    questions = tmp_path / "o-questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in O_QUESTIONS))
    return articles, questions


def _o_passages(question: str, k: int) -> list[Passage]:
    body = O_BODIES["b1"]
    return [Passage("b1:0", "b1", body, "T b1", "Wire", None, O_DATES["b1"], 0, len(body))][:k]


def test_ordinary_metrics_match_hand_computed_values(
    ordinary_files: tuple[Path, Path], tmp_path: Path
) -> None:
    articles, questions = ordinary_files
    calls: list[tuple[str, Any, Any]] = []

    def answer_fn(question: str, history: Any = None, as_of: Any = None) -> Answer:
        calls.append((question, history, as_of))
        return O_ANSWERS[question]

    out = tmp_path / "o-out"
    config = EvalConfig(articles, questions, tmp_path / "s", out, llm="fake", as_of="2023-12-01")
    summary = run_eval(config, answer_fn, _o_passages)

    # the follow-up: earlier questions first, in order, each with the history so far
    # and the question's own as_of; then the final question with the whole history
    at = [c[0] for c in calls].index("Who won the match?")
    assert calls[at : at + 3] == [
        ("Who won the match?", None, "2023-11-08"),
        ("Who scored?", [("Who won the match?", "Bayern won [1].")], "2023-11-08"),
        (
            "Which team did they beat?",
            [("Who won the match?", "Bayern won [1]."), ("Who scored?", "Kane scored [1].")],
            "2023-11-08",
        ),
    ]
    # questions without their own as_of get the run's
    assert ("when did bayern win", None, "2023-12-01") in calls
    assert len(calls) == 11

    assert summary["format"] == "ordinary" and summary["questions"] == 9
    a = summary["answers"]["all"]["all"]
    assert a["questions"] == 9
    assert a["accuracy"] == pytest.approx(6 / 9, abs=1e-4)  # o2 o3 o4 o5 o6 o9
    assert a["answerable"] == 7
    assert a["answerable_accuracy"] == pytest.approx(5 / 7, abs=1e-4)  # o1 and o8 wrong
    assert a["false_declines"] == pytest.approx(1 / 7, abs=1e-4)  # o8
    assert a["false_declines_n"] == 1
    assert a["unanswerable"] == 2 and a["unanswerable_declined"] == 0.5  # o6 yes, o7 no
    assert a["declined"] == 2
    # answered answerable: o1 o2 o3 o4 o5 o9; o5 cites b3, not its gold b1
    assert a["gold_citation"] == pytest.approx(5 / 6, abs=1e-4)
    # one cited sentence each in o1 o2 o3 o4 o5 o7 o9; o1 (10) and o7 (70000) unsupported
    assert (a["cited_sentences"], a["unsupported_sentences"]) == (7, 2)
    assert a["unsupported_share"] == pytest.approx(2 / 7, abs=1e-4)
    assert a["speaker_right"] == 0.5  # o3 yes, o4 no
    assert a["citations_per_answer"] == pytest.approx(8 / 7, abs=1e-4)
    assert a["citations_verbatim"] == 1.0
    assert (a["latency_p50_s"], a["latency_p95_s"]) == (5.0, 9.0)  # of 1..9 s
    assert a["first_token_p50_s"] == 0.5

    dev = summary["answers"]["dev"]["all"]  # o1 o3 o5 o6 o8
    assert dev["questions"] == 5 and dev["accuracy"] == 0.6
    assert dev["answerable_accuracy"] == 0.5 and dev["false_declines"] == 0.25
    assert dev["unanswerable_declined"] == 1.0
    assert dev["gold_citation"] == pytest.approx(2 / 3, abs=1e-4)
    assert dev["unsupported_share"] == pytest.approx(1 / 3, abs=1e-4)
    assert dev["speaker_right"] == 1.0
    assert (dev["latency_p50_s"], dev["latency_p95_s"]) == (5.0, 8.0)  # of 1 3 5 6 8
    assert dev["first_token_p50_s"] is None

    test = summary["answers"]["test"]["all"]  # o2 o4 o7 o9
    assert test["accuracy"] == 0.75 and test["answerable_accuracy"] == 1.0
    assert test["false_declines"] == 0.0 and test["unanswerable_declined"] == 0.0
    assert test["gold_citation"] == 1.0 and test["unsupported_share"] == 0.25
    assert test["speaker_right"] == 0.0
    assert (test["latency_p50_s"], test["latency_p95_s"]) == (5.5, 9.0)  # of 2 4 7 9

    by_type = summary["answers"]["all"]
    assert list(by_type) == [
        "all",
        "factoid",
        "attribution",
        "time",
        "yesno",
        "followup",
        "unanswerable",
    ]
    assert by_type["factoid"]["answerable_accuracy"] == 0.5
    assert by_type["factoid"]["unsupported_sentences"] == 1
    assert by_type["attribution"]["speaker_right"] == 0.5
    assert by_type["factoid"]["speaker_right"] is None
    assert by_type["unanswerable"]["answerable_accuracy"] is None
    assert summary["answers"]["test"]["attribution"]["speaker_right"] == 0.0

    # retrieval: every answerable question's first fact is in b1's one chunk except
    # o3/o4, whose gold is b2 (never retrieved)
    r = summary["retrieval"]["all"]["all"]
    assert r["questions"] == 7 and r["hits@10"] == pytest.approx(5 / 7, abs=1e-4)

    report = json.loads((out / "report.json").read_text())
    rows = {row["id"]: row for row in report["rows"]}
    assert report["config"]["split"] == "all" and report["config"]["as_of"] == "2023-12-01"
    assert rows["o8"]["history"] == [
        {"question": "Who won the match?", "answer": "Bayern won [1].", "declined": False},
        {"question": "Who scored?", "answer": "Kane scored [1].", "declined": False},
    ]
    assert rows["o8"]["flags"]["false_decline"] is True
    assert rows["o1"]["flags"]["unsupported_sentences"] == [
        {"sentence": "Bayern won 10.", "missing": ["10"]}
    ]
    assert rows["o5"]["flags"]["gold_cited"] is False
    assert rows["o4"]["flags"]["speaker_right"] is False
    assert rows["o3"]["flags"]["speaker_right"] is True
    assert rows["o9"]["timings"]["total_s"] == 9.0
    assert rows["o3"]["answer"]["citations"][0]["context"] == "Prosecutors said he lied."
    assert {"id", "split", "type", "question", "history", "answer", "correct", "flags"} <= set(
        rows["o1"]
    )
    md = (out / "summary.md").read_text()
    assert "## Answers, split dev" in md and "## Answers, split test" in md
    assert (
        "| all | 9 | 0.71 | 0.14 | 0.50 | 2 | 0.83 | 2/7 (0.29) | 0.50 | 1.14 | 5.00 | 9.00 "
        "| 0.50 |" in md
    )
    assert "- o1: Bayern won 10. (missing: 10)" in md
    assert (out / "by_type.png").read_bytes()[:4] == b"\x89PNG"


def test_ordinary_split_filter_and_retrieval_only(
    ordinary_files: tuple[Path, Path], tmp_path: Path
) -> None:
    articles, questions = ordinary_files
    asked: list[str] = []

    def answer_fn(question: str, history: Any = None, as_of: Any = None) -> Answer:
        asked.append(question)
        return O_ANSWERS[question]

    config = EvalConfig(articles, questions, tmp_path / "s", tmp_path / "t", split="test")
    summary = run_eval(config, answer_fn, _o_passages)
    assert summary["questions"] == 4
    assert list(summary["answers"]) == ["all", "test"]
    assert asked == [
        "who scored",
        "What did Rehn say?",
        "How many fans came?",
        "when did bayern win",
    ]

    retrieval_only = run_eval(
        EvalConfig(articles, questions, tmp_path / "s", tmp_path / "r", split="dev", limit=2),
        None,
        _o_passages,
    )
    assert retrieval_only["questions"] == 2 and "answers" not in retrieval_only
    assert retrieval_only["retrieval"]["all"]["all"]["hits@10"] == 0.5  # o1 yes, o3 no


def test_multihop_gets_the_run_as_of(fixture_files: tuple[Path, Path], tmp_path: Path) -> None:
    articles, questions = fixture_files
    calls: list[tuple[Any, ...]] = []

    def answer_fn(*args: Any) -> Answer:
        calls.append(args)
        return ANSWERS[args[0]]

    config = EvalConfig(articles, questions, tmp_path / "s", tmp_path / "m", as_of="2023-11-01")
    summary = run_eval(config, answer_fn, _passages)
    assert calls[0] == ("Who founded FTX?", None, "2023-11-01")
    assert "format" not in summary and summary["answers"]["accuracy"] == 0.5


def test_ordinary_matching_rules() -> None:
    def q(answer: str, *accept: str, qtype: str = "factoid") -> EvalQuestion:
        return EvalQuestion("i", "?", answer, qtype, accept=accept, ordinary=True)

    # punctuation becomes a space and words must match whole
    assert not is_correct_ordinary(q("1-0"), "Bayern won 10.", False)
    assert is_correct(EvalQuestion("i", "?", "1-0", "inference"), "Bayern won 10.", False)
    assert is_correct_ordinary(q("1-0"), "They lost 1–0 [2].", False)  # en dash
    assert is_correct_ordinary(q("1.99"), "It costs $1.99 a month.", False)
    assert not is_correct_ordinary(q("1.99"), "It costs 199 a month.", False)
    assert not is_correct_ordinary(q("fee"), "The fees rose.", False)
    assert is_correct_ordinary(q("didn't defraud anyone"), "Sam didn’t defraud anyone.", False)
    assert is_correct_ordinary(q("32 billion", "32bn"), "Worth $32bn at its peak.", False)
    assert is_correct_ordinary(q("The Verge"), "verge reported it", False)
    assert not is_correct_ordinary(q("Kane"), "Kane", True)  # declined: wrong
    assert contains_phrase("a b c", "b") and not contains_phrase("abc", "b")
    assert not contains_phrase("anything", "!!")
    # yes/no: the opening verdict decides, and accept phrases do not override it; an
    # answer without one (the settling quotes) must state the verdict in accepted words
    assert is_correct_ordinary(q("No", "once", qtype="yesno"), "No, just once.", False)
    assert not is_correct_ordinary(q("No", "once", qtype="yesno"), "Yes, once, no more.", False)
    assert is_correct_ordinary(q("No", "fell short", qtype="yesno"), "Sales fell short.", False)
    assert not is_correct_ordinary(q("No", "fell short", qtype="yesno"), "Sales rose, no.", False)
    assert is_correct_ordinary(q("Yes", qtype="comparison"), "Yes—both said so.", False)
    # unanswerable: right only when declined
    gold = q("Insufficient information.", qtype="unanswerable")
    assert is_correct_ordinary(gold, DECLINE, True)
    assert not is_correct_ordinary(gold, "Insufficient information.", False)


def test_unsupported_speaker_and_percentile_rules() -> None:
    c1 = _ocite(1, "b1", "Bayern beat United 1-0 on Tuesday.")
    c2 = _ocite(2, "b1", "Kane scored the winner.")
    both = "Bayern won on Tuesday and Kane scored [1][2]. No marker here."
    assert unsupported_sentences(both, [c1, c2]) == (1, [])
    assert unsupported_sentences("Bayern won on Tuesday and Kane scored [1].", [c1]) == (
        1,
        [{"sentence": "Bayern won on Tuesday and Kane scored.", "missing": ["Kane"]}],
    )
    # the header (outlet, date) supports; a marker without a citation supports nothing
    assert unsupported_sentences("Wire said so on November 8, 2023 [2].", [c2]) == (1, [])
    assert unsupported_sentences("Wire said so in December [2].", [c2])[1][0]["missing"] == [
        "december"
    ]
    assert unsupported_sentences("Kane was there [3].", [c1])[1][0]["missing"] == ["Kane"]

    assert speaker_words("Mark Cohen (defence lawyer)") == ["mark", "cohen"]
    assert speaker_words("Sen. Bob Menendez") == ["bob", "menendez"]
    assert speaker_words("Erik ten Hag") == ["erik", "hag"]
    assert percentile([3.0], 95) == 3.0
    assert percentile([float(v) for v in range(1, 21)], 95) == 19.0
    assert percentile([float(v) for v in range(1, 21)], 50) == 10.0


def _eval_args(articles: Path, questions: Path, **more: Any) -> Any:
    from ui.cli import build_parser

    argv = ["eval", "--articles", str(articles), "--questions", str(questions)]
    for flag, value in more.items():
        argv += [f"--{flag.replace('_', '-')}", value]
    return build_parser().parse_args(argv)


def test_cli_eval_usage_errors(
    ordinary_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from types import SimpleNamespace

    from newsqa.settings import Settings, SettingsError
    from ui.cli import EXIT_USAGE, cmd_eval

    articles, questions = ordinary_files
    args = _eval_args(articles, questions)
    assert (args.split, args.as_of, args.off, args.json) == ("all", None, None, False)

    bad_date = _eval_args(articles, questions, as_of="last week")
    assert cmd_eval(bad_date, Settings()) == EXIT_USAGE
    assert "--as-of 'last week' is not a date" in capsys.readouterr().err

    off = _eval_args(articles, questions, off="rewrite, verify,,")
    # a build whose settings have no steps_off says so
    assert cmd_eval(off, SimpleNamespace(chunk_chars=1200)) == EXIT_USAGE  # type: ignore[arg-type]
    assert "this build has no switchable steps" in capsys.readouterr().err
    # otherwise the names go into settings.with_(steps_off=...)
    seen: list[dict[str, Any]] = []

    def with_(**changes: Any) -> Any:
        seen.append(changes)
        raise SettingsError("unknown step 'verify'")

    settings = SimpleNamespace(chunk_chars=1200, steps_off=frozenset(), with_=with_)
    assert cmd_eval(off, settings) == EXIT_USAGE  # type: ignore[arg-type]
    assert seen == [{"steps_off": frozenset({"rewrite", "verify"})}]
    assert "--off: unknown step 'verify'" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_runs_ordinary_eval_as_json(ordinary_files: tuple[Path, Path], tmp_path: Path) -> None:
    articles, questions = ordinary_files
    out = tmp_path / "cli-o"
    cmd = [sys.executable, "-m", "ui.cli", "--home", str(tmp_path / "home"), "eval"]
    cmd += ["--articles", str(articles), "--questions", str(questions), "--llm", "extractive"]
    cmd += ["--out", str(out), "--split", "dev", "--as-of", "2023-12-01", "--json"]
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # stdout is only the JSON summary
    assert summary["format"] == "ordinary" and summary["questions"] == 5
    assert set(summary["answers"]) == {"all", "dev"}
    report = json.loads((out / "report.json").read_text())
    assert [r["id"] for r in report["rows"]] == ["o1", "o3", "o5", "o6", "o8"]
    followup = report["rows"][-1]
    assert [h["question"] for h in followup["history"]] == ["Who won the match?", "Who scored?"]
    assert all("answer" in h for h in followup["history"])
    assert report["rows"][0]["as_of"] == "2023-12-01" and followup["as_of"] == "2023-11-08"
    assert all(c["verbatim"] for r in report["rows"] for c in r["answer"]["citations"])
    assert "wrote" in done.stderr and "added 3" in done.stderr
