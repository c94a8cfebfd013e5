"""``newsqa eval``: retrieval and answer quality on MultiHop-RAG-style data and on the
ordinary-question set (``tests/data/ordinary``).

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

Ordinary questions
------------------

A question file is in the *ordinary* format when its rows carry ``split`` or
``accept`` (or one of its types exists only there: factoid, attribution, summary,
time, yesno, followup, unanswerable, outlet_word, informal). Such a file is scored by
the rules below instead of the answer rules above; retrieval is measured as above, on
the final user message as asked (for a follow-up that message alone, without the
conversation). Every metric is reported for each split (``all``, ``dev``, ``test``)
and, within it, for all questions and for each type.

- Asking: a question with ``history`` is a conversation. Its earlier user questions
  are asked first, in order, through ``answer_fn(question, history, as_of)``, each
  with the ``(question, answer.text)`` pairs before it; then the final question is
  asked with the whole history. Only the final answer is scored. ``as_of`` is the
  question's own, else ``--as-of``, else ``None`` (the answering code uses now).
- Matching: casefold, replace punctuation by *spaces*, drop a/an/the, collapse
  whitespace, pad with one space on each side; a phrase is contained when its padded
  form is a substring of the padded answer (word boundaries: "1-0" is "1 0" and does
  not match "10"; "fee" does not match "fees").
- Answerable accuracy (questions that are not ``unanswerable``): for a Yes/No gold
  the "Yes" or "No" the answer opens with must equal the gold; an answer opening
  with neither (the quotes that settle it, ``yesno_quotes``) must contain an
  ``accept`` entry, the words that state the verdict ("fell short", "not yet");
  otherwise the answer must contain ``answer`` or any ``accept`` entry. A declined
  answer is wrong. Rows are scored again when a run resumes, so a report always
  applies these rules. (An unanswerable question is correct when declined;
  ``accuracy`` counts both kinds.)
- False declines: share of answerable questions declined. Unanswerable declined:
  share of unanswerable questions declined. Declined: count of declined answers.
- Gold-article citation: share of answered (not declined) answerable questions with
  at least one citation whose ``article_id`` is an ``evidence`` article.
- Unsupported-fact citations: the answer's text (of answered questions) is split
  with :func:`ingest.sentences.sentence_spans`; a *cited sentence* carries at least
  one ``[n]`` marker. Its support is, for each of its markers ``n``, the citation's
  ``quote + " " + context + " | " + header_words`` (title, outlet and published date
  in words and ISO, :func:`rag.text.header_words`), joined over the markers. The
  sentence is *unsupported* when :func:`rag.text.missing_facts` of the sentence
  (markers removed) against that support is non-empty (a name, number or month the
  quotes do not state; a marker with no citation supports nothing). Reported as the
  count and the share of cited sentences; the rows list the sentences.
- Speaker right (``attribution`` questions): share of answered attribution
  questions whose answer is correct and where some citation's quote + context +
  outlet, casefolded, contains as a whole word at least one capitalised word of the
  gold ``speaker`` before any "(" (titles such as Judge, Sen., Mr are not names).
- Citations per answer: mean number of citations of answered questions.
- Latency: p50 (median) and p95 (nearest rank: the ``ceil(0.95 n)``-th smallest) of
  the answer's ``timings["total_s"]`` (the eval's own wall time of the final call
  when the answer has none); first-token p50 from ``timings["first_token_s"]`` where
  present.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import string
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.sentences import sentence_spans

MAX_EVAL_CHUNK_CHARS = 1200
NULL_ANSWER = "insufficient information"
TYPES = ("inference", "comparison", "temporal", "null")
ORDINARY_TYPES = (
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
SPLITS = ("all", "dev", "test")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = re.compile(f"[{re.escape(string.punctuation)}“”‘’–—]")
_VERDICT = re.compile(r"\b(yes|no)\b")
_MARKER = re.compile(r"(?<!\s)\s*+\[\d++\]")  # linear: starts where the whitespace does
_MARKER_N = re.compile(r"\[(\d++)\]")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*+")
_TITLES = frozenset("judge sen senator rep mr mrs ms dr sir president".split())

AnswerFn = Callable[..., Any]


@dataclass(frozen=True)
class EvalQuestion:
    """A benchmark question with its gold answer and evidence facts.

    The fields after ``facts`` are those of the ordinary-question format.
    """

    id: str
    question: str
    answer: str
    type: str
    facts: tuple[str, ...] = ()
    split: str | None = None
    accept: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    as_of: str | None = None
    history: tuple[str, ...] = ()
    speaker: str | None = None
    ordinary: bool = False

    @property
    def is_null(self) -> bool:
        """Unanswerable from the corpus (gold "Insufficient information.")."""
        return self.type in ("null", "unanswerable") or normalize_answer(self.answer) == NULL_ANSWER


def load_questions(path: Path) -> list[EvalQuestion]:
    """Questions from a JSON Lines file (``id, question, answer, type, evidence``, and
    for the ordinary format ``split, accept, as_of, history, speaker``)."""
    out = []
    only_ordinary = set(ORDINARY_TYPES) - set(TYPES)
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if not line.strip():
                continue
            row = json.loads(line)
            evidence = row.get("evidence") or []
            facts = tuple(e["fact"] for e in evidence if e.get("fact"))
            out.append(
                EvalQuestion(
                    row["id"],
                    row["question"],
                    str(row["answer"]),
                    row["type"],
                    facts,
                    split=row.get("split"),
                    accept=tuple(str(a) for a in row.get("accept") or ()),
                    articles=tuple(
                        dict.fromkeys(e["article_id"] for e in evidence if e.get("article_id"))
                    ),
                    as_of=row.get("as_of") or None,
                    history=tuple(row.get("history") or ()),
                    speaker=row.get("speaker") or None,
                    ordinary="split" in row or "accept" in row or row["type"] in only_ordinary,
                )
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


# -- ordinary-question rules ------------------------------------------------------------


def normalize_words(text: str) -> str:
    """Like :func:`normalize_answer` but punctuation becomes a space, padded with one
    space on each side (so containment respects word boundaries).

    >>> normalize_words("Lost 1-0 to the Bayern!")
    ' lost 1 0 to bayern '
    """
    text = _PUNCT.sub(" ", text.casefold())
    return " " + " ".join(_ARTICLES.sub(" ", text).split()) + " "


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` appears in ``text`` as whole words, by :func:`normalize_words`.

    >>> contains_phrase("They lost 1-0.", "1-0"), contains_phrase("Up 10%.", "1-0")
    (True, False)
    """
    gold = normalize_words(phrase)
    return gold.strip() != "" and gold in normalize_words(text)


def word_verdict(text: str) -> str | None:
    """The first "yes" or "no" in ``text`` (punctuation read as spaces), if any."""
    match = _VERDICT.search(normalize_words(text))
    return match.group(1) if match else None


def is_correct_ordinary(question: EvalQuestion, answer_text: str, declined: bool) -> bool:
    """Whether an answer to an ordinary-format question is right (module docstring)."""
    if question.is_null:
        return declined
    if declined:
        return False
    gold = normalize_words(question.answer).strip()
    if gold in ("yes", "no"):
        from rag.text import leading_verdict

        opening = leading_verdict(answer_text.strip())
        if opening is not None:
            return opening[0].casefold() == gold
        return any(contains_phrase(answer_text, g) for g in question.accept)
    return any(contains_phrase(answer_text, g) for g in (question.answer, *question.accept))


def citation_support(citation: Any) -> str:
    """What a citation backs: quote, the sentence before it, and its article's header.

    >>> from rag.types import Citation
    >>> citation_support(Citation(1, "a", "Fees", "Wire", None, "2023-11-06", "Up.", "c", 0, 3))
    'Up.  | Fees Wire November 6 2023 2023-11-06'
    """
    from rag.text import header_words
    from rag.types import Passage

    passage = Passage(
        citation.chunk_id,
        citation.article_id,
        citation.quote,
        citation.title or "",
        citation.source,
        citation.url,
        citation.published_at,
        citation.start,
        citation.end,
    )
    return f"{citation.quote} {getattr(citation, 'context', '') or ''} | {header_words(passage)}"


def unsupported_sentences(text: str, citations: Sequence[Any]) -> tuple[int, list[dict[str, Any]]]:
    """The number of cited sentences in ``text`` and those stating a name, number or
    month that their citations' support lacks (``{"sentence", "missing"}`` each)."""
    from rag.text import missing_facts

    by_n = {c.n: c for c in citations}
    cited, bad = 0, []
    for a, b in sentence_spans(text):
        markers = [int(n) for n in _MARKER_N.findall(text[a:b])]
        if not markers:
            continue
        cited += 1
        sentence = _MARKER_N.sub("", _MARKER.sub("", text[a:b])).strip()
        support = "\n".join(citation_support(by_n[n]) for n in dict.fromkeys(markers) if n in by_n)
        missing = missing_facts(sentence, support)
        if missing:
            bad.append({"sentence": sentence, "missing": missing})
    return cited, bad


def speaker_words(speaker: str) -> list[str]:
    """The casefolded capitalised words of a gold speaker before any "(" (not titles).

    >>> speaker_words("Mark Cohen (defence lawyer)"), speaker_words("Judge Amit Mehta")
    (['mark', 'cohen'], ['amit', 'mehta'])
    """
    words = [w.casefold() for w in _CAPITALISED.findall(speaker.split("(")[0])]
    return [w for w in words if w.strip(".") not in _TITLES]


def speaker_cited(speaker: str, citations: Sequence[dict[str, Any]]) -> bool:
    """Whether some citation's quote, context or outlet names the gold speaker."""
    words = speaker_words(speaker)
    for c in citations:
        have = f"{c.get('quote', '')} {c.get('context', '')} {c.get('source') or ''}".casefold()
        if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", have) for w in words):
            return True
    return False


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile: the ``ceil(p/100 * n)``-th smallest value.

    >>> percentile([4.0, 1.0, 3.0, 2.0], 95), percentile([4.0, 1.0, 3.0, 2.0], 50)
    (4.0, 2.0)
    """
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


# -- aggregation -----------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _retrieval_group(subset: list[dict[str, Any]]) -> dict[str, Any]:
    facts = sum(r["retrieval"]["facts"] for r in subset)
    return {
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


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Aggregate per-question rows into the retrieval, answer and citation tables."""
    answerable = [r for r in rows if r["type"] != "null"]
    retrieval: dict[str, Any] = {}
    for group, subset in [("all", answerable)] + [
        (t, [r for r in answerable if r["type"] == t]) for t in TYPES if t != "null"
    ]:
        if not subset:
            continue
        retrieval[group] = _retrieval_group(subset)
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


def _ordered(present: Iterable[str], known: Sequence[str]) -> list[str]:
    have = set(present)
    return [v for v in known if v in have] + sorted(have - set(known))


def _groups(rows: list[dict[str, Any]]) -> Iterable[tuple[str, str, list[dict[str, Any]]]]:
    """(split, type-or-"all", rows) for every non-empty combination."""
    splits = ["all", *_ordered((r["split"] for r in rows if r.get("split")), SPLITS[1:])]
    types = _ordered((r["type"] for r in rows), ORDINARY_TYPES)
    for split in splits:
        in_split = [r for r in rows if split == "all" or r.get("split") == split]
        for group in ["all", *types]:
            subset = [r for r in in_split if group == "all" or r["type"] == group]
            if subset:
                yield split, group, subset


def ordinary_metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The ordinary-format answer metrics of some answered rows (module docstring)."""
    answerable = [r for r in rows if r["answerable"]]
    null = [r for r in rows if not r["answerable"]]
    replied = [r for r in rows if not r["answer"]["declined"]]
    attribution = [
        r for r in replied if r["type"] == "attribution" and r["flags"]["speaker_right"] is not None
    ]
    cited = sum(r["answer"]["cited_sentences"] for r in replied)
    bad = sum(len(r["flags"]["unsupported_sentences"]) for r in replied)
    latency = [r["timings"].get("total_s", r["timings"].get("answer_s")) for r in rows]
    present = [float(v) for v in latency if v is not None]
    citations = [c for r in rows for c in r["answer"]["citations"]]
    return {
        "questions": len(rows),
        "accuracy": _mean([float(r["correct"]) for r in rows]),
        "answerable": len(answerable),
        "answerable_accuracy": _mean([float(r["correct"]) for r in answerable]),
        "false_declines": _mean([float(r["answer"]["declined"]) for r in answerable]),
        "false_declines_n": sum(r["answer"]["declined"] for r in answerable),
        "unanswerable": len(null),
        "unanswerable_declined": _mean([float(r["answer"]["declined"]) for r in null]),
        "declined": sum(r["answer"]["declined"] for r in rows),
        "gold_citation": _mean(
            [float(r["flags"]["gold_cited"]) for r in answerable if not r["answer"]["declined"]]
        ),
        "cited_sentences": cited,
        "unsupported_sentences": bad,
        "unsupported_share": round(bad / cited, 4) if cited else None,
        "speaker_right": _mean([float(r["flags"]["speaker_right"]) for r in attribution]),
        "citations_per_answer": _mean([float(len(r["answer"]["citations"])) for r in replied]),
        "citations_verbatim": _mean([float(c["verbatim"]) for c in citations]),
        "latency_p50_s": round(statistics.median(present), 3) if present else None,
        "latency_p95_s": round(percentile(present, 95), 3) if present else None,
        "first_token_p50_s": _median([r["timings"].get("first_token_s") for r in rows]),
    }


def summarize_ordinary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Retrieval and answer tables of an ordinary-format run: ``[split][type]``, each
    split and type also as ``"all"``."""
    retrieval: dict[str, dict[str, Any]] = {}
    answers: dict[str, dict[str, Any]] = {}
    for split, group, subset in _groups(rows):
        scored = [r for r in subset if r["answerable"] and r["retrieval"]]
        if scored:
            retrieval.setdefault(split, {})[group] = _retrieval_group(scored)
        answered = [r for r in subset if r.get("answer") is not None]
        if answered:
            answers.setdefault(split, {})[group] = ordinary_metrics(answered)
    summary: dict[str, Any] = {"format": "ordinary", "questions": len(rows), "retrieval": retrieval}
    if answers:
        summary["answers"] = answers
    summary["median_retrieval_s"] = _median([r["timings"].get("retrieval_s") for r in rows])
    return summary


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
    split: str = "all"  # dev, test or all: questions that have a split
    as_of: str | None = None  # for questions without their own as_of

    def key(self) -> dict[str, Any]:
        """What must match for earlier rows to be reused when resuming."""
        key = {"articles": str(self.articles), "k": self.k, "llm": self.llm, **self.extra}
        if self.as_of is not None:
            key["as_of"] = self.as_of
        return key


def load_bodies(path: Path) -> dict[str, str]:
    """Article id -> body, for checking that quotes are verbatim."""
    from ingest.article import Article
    from ingest.loaders.records import load_jsonl

    with path.open("rb") as stream:
        loaded = load_jsonl(stream, str(path), 10**9)
        return {a.id: a.body for a in loaded if isinstance(a, Article)}


def answerer_fn(answerer: Any, k: int) -> AnswerFn:
    """``answer_fn(question, history=None, as_of=None)`` for an :class:`rag.answer.Answerer`.

    An answerer whose ``answer`` takes no ``as_of`` answers as of now; a warning says so
    once.
    """
    import inspect

    takes_as_of = "as_of" in inspect.signature(answerer.answer).parameters
    warned: list[bool] = []

    def answer_fn(
        question: str, history: list[tuple[str, str]] | None = None, as_of: str | None = None
    ) -> Any:
        if as_of is not None and takes_as_of:
            return answerer.answer(question, history, k=k, as_of=as_of)
        if as_of is not None and not warned:
            warned.append(True)
            print(
                "newsqa: this build's answerer takes no as_of; dated questions are "
                "answered as of now",
                file=sys.stderr,
            )
        return answerer.answer(question, history, k=k)

    return answer_fn


def run_eval(
    config: EvalConfig,
    answer_fn: AnswerFn | None,
    retrieve_fn: Callable[[str, int], list[Any]],
    on_row: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Evaluate every question; rows are saved as they finish so a rerun resumes.

    ``retrieve_fn(question, k)`` returns passages; ``answer_fn(question, history,
    as_of)`` returns an :class:`rag.types.Answer` (``None`` = retrieval only). MultiHop
    questions call it as ``answer_fn(question)`` (plus ``None, as_of`` when
    ``config.as_of`` is set).
    """
    questions = load_questions(config.questions)
    ordinary = any(q.ordinary for q in questions)
    if config.split != "all":
        questions = [q for q in questions if q.split is None or q.split == config.split]
    questions = questions[: config.limit]
    bodies = load_bodies(config.articles) if answer_fn else {}
    config.out.mkdir(parents=True, exist_ok=True)
    rows_path = config.out / "rows.jsonl"
    done = _resume(rows_path, config.key())
    with rows_path.open("a", encoding="utf-8") as sink:
        if not rows_path.stat().st_size:
            sink.write(json.dumps({"config": config.key()}) + "\n")
        for number, q in enumerate(questions, 1):
            if q.id not in done:
                evaluate = _evaluate_ordinary if ordinary else _evaluate
                done[q.id] = evaluate(q, config, retrieve_fn, answer_fn, bodies)
                sink.write(json.dumps(done[q.id], ensure_ascii=False) + "\n")
                sink.flush()
            if on_row:
                on_row(number, len(questions))
    rows = [done[q.id] for q in questions]
    if ordinary:  # resumed rows are scored by today's rules
        rows = [_rescored(q, row) for q, row in zip(questions, rows, strict=True)]
    summary = summarize_ordinary(rows) if ordinary else summarize(rows)
    report: dict[str, Any] = {
        "config": {**config.key(), "questions": str(config.questions)},
        "summary": summary,
        "rows": rows,
    }
    if ordinary:
        report["config"]["split"] = config.split
    (config.out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    title = f"{config.questions.name} · llm={config.llm}"
    if ordinary:
        (config.out / "summary.md").write_text(ordinary_markdown(summary, rows, config))
        ordinary_chart(summary, config.out / "by_type.png", title=title)
    else:
        (config.out / "summary.md").write_text(summary_markdown(summary, config))
        chart(summary, config.out / "by_type.png", title=title)
    return summary


def _rescored(q: EvalQuestion, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with ``correct`` (and ``speaker_right``) from :func:`is_correct_ordinary`."""
    answer = row.get("answer") or {}
    if not isinstance(answer, dict) or "text" not in answer:
        return row
    correct = is_correct_ordinary(q, answer["text"], bool(answer.get("declined")))
    flags = dict(row.get("flags") or {})
    if flags.get("speaker_named") is not None:
        flags["speaker_right"] = bool(flags["speaker_named"]) and correct
    return {**row, "correct": correct, "flags": flags}


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


def _retrieve(
    q: EvalQuestion, k: int, retrieve_fn: Callable[[str, int], list[Any]]
) -> tuple[list[Any], float]:
    started = time.perf_counter()
    passages = retrieve_fn(q.question, k)
    retrieval_s = time.perf_counter() - started
    if any(len(p.text) > MAX_EVAL_CHUNK_CHARS for p in passages):
        raise ValueError(f"chunks must be at most {MAX_EVAL_CHUNK_CHARS} characters for eval")
    return passages, retrieval_s


def _evaluate(
    q: EvalQuestion,
    config: EvalConfig,
    retrieve_fn: Callable[[str, int], list[Any]],
    answer_fn: AnswerFn | None,
    bodies: dict[str, str],
) -> dict[str, Any]:
    passages, retrieval_s = _retrieve(q, config.k, retrieve_fn)
    texts = [p.text for p in passages]
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
    if config.as_of is None:
        answer = answer_fn(q.question)
    else:
        answer = answer_fn(q.question, None, config.as_of)
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
        # What the pipeline saw and left out: for reading a row, not scored.
        "kind": getattr(answer, "kind", ""),
        "standalone": answer.standalone_question,
        "notes": list(getattr(answer, "notes", [])),
        "unsupported": list(getattr(answer, "unsupported", [])),
    }
    row["correct"] = is_correct(q, answer.text, answer.declined)
    return row


def _evaluate_ordinary(
    q: EvalQuestion,
    config: EvalConfig,
    retrieve_fn: Callable[[str, int], list[Any]],
    answer_fn: AnswerFn | None,
    bodies: dict[str, str],
) -> dict[str, Any]:
    passages, retrieval_s = _retrieve(q, config.k, retrieve_fn)
    as_of = q.as_of or config.as_of
    row: dict[str, Any] = {
        "id": q.id,
        "split": q.split,
        "type": q.type,
        "question": q.question,
        "history": [{"question": h} for h in q.history],
        "as_of": as_of,
        "gold_answer": q.answer,
        "accept": list(q.accept),
        "answerable": not q.is_null,
        "speaker": q.speaker,
        "retrieved": [{"chunk_id": p.chunk_id, "text": p.text} for p in passages],
        "retrieval": retrieval_scores(q.facts, [p.text for p in passages]) if not q.is_null else {},
        "timings": {"retrieval_s": round(retrieval_s, 4)},
        "answer": None,
    }
    if answer_fn is None:
        return row
    history: list[tuple[str, str]] = []
    for turn in row["history"]:
        earlier = answer_fn(turn["question"], list(history) or None, as_of)
        turn.update(answer=earlier.text, declined=earlier.declined)
        history.append((turn["question"], earlier.text))
    started = time.perf_counter()
    answer = answer_fn(q.question, list(history) or None, as_of)
    row["timings"]["answer_s"] = round(time.perf_counter() - started, 3)
    for name, value in answer.timings.items():
        if isinstance(value, int | float):
            row["timings"][name] = round(float(value), 4)
    citations = [
        {
            "n": c.n,
            "article_id": c.article_id,
            "title": c.title,
            "source": c.source,
            "published_at": c.published_at,
            "chunk_id": c.chunk_id,
            "quote": c.quote,
            "context": getattr(c, "context", ""),
            "verbatim": bodies.get(c.article_id, "")[c.start : c.end] == c.quote,
        }
        for c in answer.citations
    ]
    declined = bool(answer.declined)
    cited, unsupported = (
        (0, []) if declined else unsupported_sentences(answer.text, answer.citations)
    )
    correct = is_correct_ordinary(q, answer.text, declined)
    speaker_named = (
        speaker_cited(q.speaker, citations)
        if q.type == "attribution" and q.speaker and not declined and not q.is_null
        else None
    )
    row["answer"] = {
        "text": answer.text,
        "declined": declined,
        "backend": answer.backend,
        "citations": citations,
        "sentences": answer_sentence_count(answer.text) if not declined else 0,
        "cited_sentences": cited,
    }
    row["correct"] = correct
    row["flags"] = {
        "false_decline": declined and not q.is_null,
        "gold_cited": any(c["article_id"] in q.articles for c in citations)
        if not (declined or q.is_null)
        else None,
        "unsupported_sentences": unsupported,
        "speaker_named": speaker_named,
        "speaker_right": None if speaker_named is None else speaker_named and correct,
    }
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


def _cell(value: Any) -> str:
    return "–" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value))


def ordinary_markdown(
    summary: dict[str, Any], rows: list[dict[str, Any]], config: EvalConfig
) -> str:
    """The ordinary-format tables as Markdown: answers per split and type, retrieval,
    and the first unsupported cited sentences."""
    lines = [
        f"# newsqa eval: {config.questions.name}",
        "",
        f"articles `{config.articles.name}`, k={config.k}, llm=`{config.llm}`, "
        f"split {config.split}, {summary['questions']} questions"
        + (f", as of {config.as_of} unless the question says" if config.as_of else "")
        + ". Questions: newsqa's own; articles: MultiHop-RAG (Tang & Yang, COLM 2024), "
        "ODC-BY 1.0.",
    ]
    for split, groups in summary.get("answers", {}).items():
        lines += [
            "",
            f"## Answers, split {split}",
            "",
            "| type | n | accuracy (answerable) | false declines | unanswerable declined "
            "| declined | gold article cited | unsupported sentences | speaker right "
            "| citations/answer | p50 s | p95 s | first token p50 s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for group, m in groups.items():
            bad = f"{m['unsupported_sentences']}/{m['cited_sentences']}" + (
                f" ({m['unsupported_share']:.2f})" if m["unsupported_share"] is not None else ""
            )
            lines.append(
                f"| {group} | {m['questions']} | {_cell(m['answerable_accuracy'])} | "
                f"{_cell(m['false_declines'])} | {_cell(m['unanswerable_declined'])} | "
                f"{m['declined']} | {_cell(m['gold_citation'])} | {bad} | "
                f"{_cell(m['speaker_right'])} | {_cell(m['citations_per_answer'])} | "
                f"{_cell(m['latency_p50_s'])} | {_cell(m['latency_p95_s'])} | "
                f"{_cell(m['first_token_p50_s'])} |"
            )
    lines += [
        "",
        "## Retrieval (answerable questions; the final message as asked)",
        "",
        "| split | type | n | Hits@4 | Hits@10 | MRR@10 | evidence recall@10 | all-evidence@10 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for split, groups in summary["retrieval"].items():
        for group, m in groups.items():
            if split != "all" and group != "all":
                continue
            lines.append(
                f"| {split} | {group} | {m['questions']} | {_cell(m['hits@4'])} | "
                f"{_cell(m['hits@10'])} | {_cell(m['mrr@10'])} | "
                f"{_cell(m['evidence_recall@10'])} | {_cell(m['all_evidence@10'])} |"
            )
    bad_rows = [
        (r["id"], s) for r in rows if r.get("flags") for s in r["flags"]["unsupported_sentences"]
    ]
    if bad_rows:
        lines += ["", f"## Unsupported cited sentences ({len(bad_rows)}; first 15)", ""]
        lines += [
            f"- {qid}: {s['sentence']} (missing: {', '.join(s['missing'])})"
            for qid, s in bad_rows[:15]
        ]
    lines += ["", f"Median retrieval time: {_cell(summary['median_retrieval_s'])} s", ""]
    return "\n".join(lines)


def ordinary_chart(summary: dict[str, Any], path: Path, title: str = "") -> None:
    """A PNG bar chart per question type (split "all"): accuracy (declines for
    unanswerable), gold-article citation and Hits@10."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    retrieval = summary["retrieval"].get("all", {})
    answers = summary.get("answers", {}).get("all", {})
    types = [t for t in (*ORDINARY_TYPES, "all") if t in retrieval or t in answers]
    series: dict[str, list[float]] = {
        "Hits@10": [retrieval.get(t, {}).get("hits@10") or 0.0 for t in types]
    }
    if answers:

        def right(t: str) -> float:
            m = answers.get(t, {})
            value = m.get("unanswerable_declined" if t == "unanswerable" else "answerable_accuracy")
            return value or 0.0

        series["accuracy (declined if unanswerable)"] = [right(t) for t in types]
        series["gold article cited"] = [
            answers.get(t, {}).get("gold_citation") or 0.0 for t in types
        ]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(types))], values, width, label=name)
    ax.set_xticks(
        [x + width * (len(series) - 1) / 2 for x in range(len(types))],
        types,
        rotation=30,
        ha="right",
        fontsize=8,
    )
    ax.set_ylim(0, 1.15)  # the top band holds the legend
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper center", ncol=len(series), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
