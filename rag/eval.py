"""``newsqa eval``: retrieval and answer quality on MultiHop-RAG-style data.

Metric definitions (the README's "Quality" section repeats them):

Retrieval, on non-null questions. A chunk *contains* a gold evidence fact when the
fact appears in the chunk's text with all whitespace removed (chunks are at most
1,200 characters).

- Hits@k: share of questions where at least one of the top-k chunks contains a gold
  fact. MRR@10: mean over questions of 1/rank of the first such chunk in the top 10
  (0 when none).
- Evidence recall@10: share of all gold facts (over all questions) contained in some
  top-10 chunk.
- All-evidence@10: share of questions whose every gold fact is in the top 10.

Answers. A null question (gold "Insufficient information.") is correct when the
answer is declined. A Yes/No gold answer is correct when the answer's verdict (its
first "yes" or "no") matches. Any other gold answer is correct when its normalized
text (casefolded; punctuation and the articles a/an/the removed) appears in the
normalized answer. Decline rate on answerable questions counts declines of
questions the articles do answer (an error too).

Citations: share of answer sentences that carry a citation; share of citations
whose quote is verbatim the cited article's body at ``[start:end]`` (must be 1.0).
"""

from __future__ import annotations

import json
import re
import statistics
import string
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.sentences import sentence_spans

MAX_EVAL_CHUNK_CHARS = 1200
NULL_ANSWER = "insufficient information"
TYPES = ("inference", "comparison", "temporal", "null")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}“”‘’–—]")
_VERDICT = re.compile(r"\b(yes|no)\b")
_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class EvalQuestion:
    """A benchmark question with its gold answer and evidence facts."""

    id: str
    question: str
    answer: str
    type: str
    facts: tuple[str, ...] = ()

    @property
    def is_null(self) -> bool:
        """Unanswerable from the corpus (gold answer "Insufficient information.")."""
        return self.type == "null" or normalize_answer(self.answer) == NULL_ANSWER


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from a JSON Lines file (``id, question, answer, type, evidence``)."""
    out = []
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if not line.strip():
                continue
            row = json.loads(line)
            facts = tuple(e["fact"] for e in row.get("evidence") or [] if e.get("fact"))
            out.append(
                EvalQuestion(row["id"], row["question"], str(row["answer"]), row["type"], facts)
            )
    return out


# -- metric definitions -----------------------------------------------------------------


def squash(text: str) -> str:
    """``text`` with all whitespace removed (for evidence containment)."""
    return "".join(text.split())


def contains_fact(chunk_text: str, fact: str) -> bool:
    """Whether ``fact`` appears in ``chunk_text`` once all whitespace is removed.

    >>> contains_fact("The  G7 agreed\\na loan.", "G7 agreed a loan")
    True
    """
    return squash(fact) in squash(chunk_text)


def retrieval_scores(facts: Iterable[str], chunk_texts: list[str]) -> dict[str, float]:
    """Per-question hits@4/@10, reciprocal rank@10, facts found@10, all found@10."""
    facts = list(facts)
    top = [squash(t) for t in chunk_texts[:10]]
    first = next(
        (rank for rank, text in enumerate(top, 1) if any(squash(f) in text for f in facts)), None
    )
    found = [any(squash(f) in text for text in top) for f in facts]
    return {
        "hit@4": float(first is not None and first <= 4),
        "hit@10": float(first is not None),
        "rr@10": 1.0 / first if first else 0.0,
        "facts": float(len(facts)),
        "facts_found@10": float(sum(found)),
        "all@10": float(bool(facts) and all(found)),
    }


def normalize_answer(text: str) -> str:
    """Casefold, strip punctuation and the articles a/an/the, collapse whitespace.

    >>> normalize_answer("The  Sam Bankman-Fried!")
    'sam bankmanfried'
    """
    text = _PUNCT.sub("", text.casefold())
    return " ".join(_ARTICLES.sub(" ", text).split())


def verdict(text: str) -> str | None:
    """The first "yes" or "no" in ``text`` (normalized), if any."""
    match = _VERDICT.search(normalize_answer(text))
    return match.group(1) if match else None


def is_correct(question: EvalQuestion, answer_text: str, declined: bool) -> bool:
    """Whether an answer is right, by the rules in this module's docstring."""
    if question.is_null:
        return declined
    if declined:
        return False
    gold = normalize_answer(question.answer)
    if gold in ("yes", "no"):
        return verdict(answer_text) == gold
    return bool(gold) and gold in normalize_answer(answer_text)


def answer_sentence_count(text: str) -> int:
    """Sentences in an answer (markers excluded)."""
    return len(sentence_spans(_MARKER.sub("", text)))


def cited_sentence_count(text: str) -> int:
    """Sentences of an answer that carry at least one ``[n]`` marker."""
    return sum(bool(_MARKER.search(text[a:b])) for a, b in sentence_spans(text))


# -- aggregation -----------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate per-question rows into the retrieval, answer and citation tables."""
    answerable = [r for r in rows if r["type"] != "null"]
    retrieval: dict[str, Any] = {}
    for group, subset in [("all", answerable)] + [
        (t, [r for r in answerable if r["type"] == t]) for t in TYPES if t != "null"
    ]:
        if not subset:
            continue
        facts = sum(r["retrieval"]["facts"] for r in subset)
        retrieval[group] = {
            "questions": len(subset),
            "hits@4": _mean([r["retrieval"]["hit@4"] for r in subset]),
            "hits@10": _mean([r["retrieval"]["hit@10"] for r in subset]),
            "mrr@10": _mean([r["retrieval"]["rr@10"] for r in subset]),
            "evidence_recall@10": round(
                sum(r["retrieval"]["facts_found@10"] for r in subset) / facts, 4
            )
            if facts
            else None,
            "all_evidence@10": _mean([r["retrieval"]["all@10"] for r in subset]),
        }
    summary: dict[str, Any] = {"questions": len(rows), "retrieval": retrieval}
    answered = [r for r in rows if r.get("answer") is not None]
    if answered:
        per_type = {
            t: _mean([float(r["correct"]) for r in answered if r["type"] == t]) for t in TYPES
        }
        sentences = sum(r["answer"]["sentences"] for r in answered if not r["answer"]["declined"])
        cited_sentences = sum(
            r["answer"]["cited_sentences"] for r in answered if not r["answer"]["declined"]
        )
        citations = [c for r in answered for c in r["answer"]["citations"]]
        summary["answers"] = {
            "questions": len(answered),
            "accuracy": _mean([float(r["correct"]) for r in answered]),
            "accuracy_by_type": per_type,
            "decline_rate_answerable": _mean(
                [float(r["answer"]["declined"]) for r in answered if r["type"] != "null"]
            ),
            "cited_sentence_share": round(cited_sentences / sentences, 4) if sentences else None,
            "citations_verbatim": _mean([float(c["verbatim"]) for c in citations]),
            "median_answer_s": _median([r["timings"].get("answer_s") for r in answered]),
            "median_first_token_s": _median([r["timings"].get("first_token_s") for r in answered]),
        }
    summary["median_retrieval_s"] = _median([r["timings"].get("retrieval_s") for r in rows])
    return summary


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


# -- running ---------------------------------------------------------------------------


@dataclass
class EvalConfig:
    """What ``newsqa eval`` was asked to do."""

    articles: Path
    questions: Path
    store: Path
    out: Path
    k: int = 10
    llm: str = "none"
    limit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> dict[str, Any]:
        """What must match for earlier rows to be reused when resuming."""
        return {"articles": str(self.articles), "k": self.k, "llm": self.llm, **self.extra}


def load_bodies(path: Path) -> dict[str, str]:
    """Article id -> body, for checking that quotes are verbatim."""
    from ingest.article import Article
    from ingest.loaders.records import load_jsonl

    with path.open("rb") as stream:
        loaded = load_jsonl(stream, str(path), 10**9)
        return {a.id: a.body for a in loaded if isinstance(a, Article)}


def run_eval(
    config: EvalConfig,
    answer_fn: Callable[[str], Any] | None,
    retrieve_fn: Callable[[str, int], list[Any]],
    on_row: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Evaluate every question; rows are saved as they finish so a rerun resumes.

    ``retrieve_fn(question, k)`` returns passages; ``answer_fn(question)`` returns an
    :class:`rag.types.Answer` (``None`` = retrieval only).
    """
    questions = load_questions(config.questions)[: config.limit]
    bodies = load_bodies(config.articles) if answer_fn else {}
    config.out.mkdir(parents=True, exist_ok=True)
    rows_path = config.out / "rows.jsonl"
    done = _resume(rows_path, config.key())
    with rows_path.open("a", encoding="utf-8") as sink:
        if not rows_path.stat().st_size:
            sink.write(json.dumps({"config": config.key()}) + "\n")
        for number, q in enumerate(questions, 1):
            if q.id not in done:
                done[q.id] = _evaluate(q, config.k, retrieve_fn, answer_fn, bodies)
                sink.write(json.dumps(done[q.id], ensure_ascii=False) + "\n")
                sink.flush()
            if on_row:
                on_row(number, len(questions))
    rows = [done[q.id] for q in questions]
    summary = summarize(rows)
    report = {
        "config": {**config.key(), "questions": str(config.questions)},
        "summary": summary,
        "rows": rows,
    }
    (config.out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    (config.out / "summary.md").write_text(summary_markdown(summary, config))
    chart(summary, config.out / "by_type.png", title=f"{config.questions.name} · llm={config.llm}")
    return summary


def _resume(rows_path: Path, key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if not rows_path.exists():
        return {}
    lines = rows_path.read_text(encoding="utf-8").splitlines()
    try:
        header = json.loads(lines[0]) if lines else {}
        if header.get("config") != key:
            rows_path.unlink()  # different settings: start over rather than mix
            return {}
        rows = [json.loads(line) for line in lines[1:] if line.strip()]
    except ValueError:  # an interrupted write leaves a torn last line
        good = []
        for line in lines[1:]:
            try:
                good.append(json.loads(line))
            except ValueError:
                break
        rows = good
        rows_path.write_text("\n".join([lines[0], *(json.dumps(r) for r in rows)]) + "\n")
    return {r["id"]: r for r in rows}


def _evaluate(
    q: EvalQuestion,
    k: int,
    retrieve_fn: Callable[[str, int], list[Any]],
    answer_fn: Callable[[str], Any] | None,
    bodies: dict[str, str],
) -> dict[str, Any]:
    started = time.perf_counter()
    passages = retrieve_fn(q.question, k)
    retrieval_s = time.perf_counter() - started
    texts = [p.text for p in passages]
    if any(len(t) > MAX_EVAL_CHUNK_CHARS for t in texts):
        raise ValueError(f"chunks must be at most {MAX_EVAL_CHUNK_CHARS} characters for eval")
    row: dict[str, Any] = {
        "id": q.id,
        "question": q.question,
        "type": q.type,
        "gold_answer": q.answer,
        "retrieved": [{"chunk_id": p.chunk_id, "text": p.text} for p in passages],
        "retrieval": retrieval_scores(q.facts, texts) if not q.is_null else {},
        "timings": {"retrieval_s": round(retrieval_s, 4)},
        "answer": None,
    }
    if answer_fn is None:
        return row
    started = time.perf_counter()
    answer = answer_fn(q.question)
    row["timings"]["answer_s"] = round(time.perf_counter() - started, 3)
    if "first_token_s" in answer.timings:
        row["timings"]["first_token_s"] = round(answer.timings["first_token_s"], 3)
    citations = [
        {
            "n": c.n,
            "article_id": c.article_id,
            "chunk_id": c.chunk_id,
            "quote": c.quote,
            "verbatim": bodies.get(c.article_id, "")[c.start : c.end] == c.quote,
        }
        for c in answer.citations
    ]
    sentences = answer_sentence_count(answer.text) if not answer.declined else 0
    row["answer"] = {
        "text": answer.text,
        "declined": answer.declined,
        "backend": answer.backend,
        "citations": citations,
        "sentences": sentences,
        "cited_sentences": cited_sentence_count(answer.text) if sentences else 0,
    }
    row["correct"] = is_correct(q, answer.text, answer.declined)
    return row


# -- presentation ----------------------------------------------------------------------


def summary_markdown(summary: dict[str, Any], config: EvalConfig) -> str:
    """The summary tables as Markdown."""

    def cell(value: Any) -> str:
        return (
            "–" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value))
        )

    lines = [
        f"# newsqa eval: {config.questions.name}",
        "",
        f"articles `{config.articles.name}`, k={config.k}, llm=`{config.llm}`, "
        f"{summary['questions']} questions. Data: MultiHop-RAG (Tang & Yang, COLM 2024), "
        "ODC-BY 1.0.",
        "",
        "## Retrieval (non-null questions)",
        "",
        "| type | n | Hits@4 | Hits@10 | MRR@10 | evidence recall@10 | all-evidence@10 |",
        "|---|---|---|---|---|---|---|",
    ]
    for group, m in summary["retrieval"].items():
        lines.append(
            f"| {group} | {m['questions']} | {cell(m['hits@4'])} | {cell(m['hits@10'])} | "
            f"{cell(m['mrr@10'])} | {cell(m['evidence_recall@10'])} | "
            f"{cell(m['all_evidence@10'])} |"
        )
    answers = summary.get("answers")
    if answers:
        by_type = answers["accuracy_by_type"]
        lines += [
            "",
            "## Answers",
            "",
            "| accuracy | inference | comparison | temporal | null | declined (answerable) "
            "| cited sentences | verbatim quotes | median answer s |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| {cell(answers['accuracy'])} | {cell(by_type['inference'])} | "
            f"{cell(by_type['comparison'])} | {cell(by_type['temporal'])} | "
            f"{cell(by_type['null'])} | {cell(answers['decline_rate_answerable'])} | "
            f"{cell(answers['cited_sentence_share'])} | {cell(answers['citations_verbatim'])} | "
            f"{cell(answers['median_answer_s'])} |",
        ]
    lines += ["", f"Median retrieval time: {cell(summary['median_retrieval_s'])} s", ""]
    return "\n".join(lines)


def chart(summary: dict[str, Any], path: Path, title: str = "") -> None:
    """A PNG bar chart of Hits@10, all-evidence@10 and accuracy per question type."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = [t for t in TYPES if t in summary["retrieval"] or t == "null"]
    series: dict[str, list[float]] = {
        "Hits@10": [summary["retrieval"].get(t, {}).get("hits@10") or 0.0 for t in types],
        "all-evidence@10": [
            summary["retrieval"].get(t, {}).get("all_evidence@10") or 0.0 for t in types
        ],
    }
    if summary.get("answers"):
        by_type = summary["answers"]["accuracy_by_type"]
        series["accuracy"] = [by_type.get(t) or 0.0 for t in types]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(types))], values, width, label=name)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(types))], types)
    ax.set_ylim(0, 1)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
