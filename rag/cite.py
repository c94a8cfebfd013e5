"""Attach citations by matching answer sentences to passage sentences.

Small models do not cite reliably, so any markers the model wrote are removed and
the system decides: each answer sentence is compared with every sentence of the
retrieved passages, and the best-supported match (plus a second one when the answer
sentence joins two facts) becomes a numbered :class:`Citation` quoting the article
verbatim.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ingest.sentences import sentence_spans
from rag.evidence import Sentence, header_stems, passage_sentences, stems
from rag.types import Citation, Passage

# Share of an answer sentence's (weighted) content words a quote must contain.
MIN_SUPPORT = 0.35
# A second quote must add at least this many, and this share, of the words left over.
MIN_EXTRA_TERMS = 2
EXTRA_SHARE = 0.4
_WORD = re.compile(r"[\w'’-]+")
_STOPS = ".!?…"
# "Yes." is a verdict, not a claim a quote could support.
_VERDICTS = {"yes", "no"}
# Where a sentence joining several claims may be cut into clauses, each to be cited.
_CLAUSE_BREAK = re.compile(r"\s*[;:]\s+|,?\s+(?:while|whereas|but|and)\s+|,\s+", re.IGNORECASE)
MIN_CLAUSE_TERMS = 3
_MODEL_MARKERS = re.compile(r"\s*\[(?:\d+(?:\s*[,–-]\s*\d+)*)\]")


@dataclass(frozen=True)
class Cited:
    """The answer text with ``[n]`` markers, and the citations they refer to."""

    text: str
    citations: list[Citation]
    sentences: int
    supported: int


def strip_markers(text: str) -> str:
    """Remove citation markers the model wrote itself.

    >>> strip_markers("It was €46 billion [1][2].")
    'It was €46 billion.'
    """
    return _MODEL_MARKERS.sub("", text)


def cite(answer: str, passages: list[Passage], preferred: list[Sentence] | None = None) -> Cited:
    """Mark each supported sentence of ``answer`` with ``[n]``; build the citations.

    ``preferred`` sentences (the evidence the model read) win ties against other
    passage sentences.
    """
    text = strip_markers(answer).strip()
    candidates = _unique((preferred or []) + passage_sentences(passages))
    if not text or not candidates:
        return Cited(text, [], 0, 0)
    # Header words are in every sentence of their article, so they weigh little.
    headers = {
        p.chunk_id: header_stems(p)
        for p in {c.passage.chunk_id: c.passage for c in candidates}.values()
    }
    candidate_stems = [stems(c.text) | headers[c.passage.chunk_id] for c in candidates]
    weights = _idf(candidate_stems)
    known = set().union(*candidate_stems)
    numbers: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    pieces: list[str] = []
    cursor = 0
    spans = sentence_spans(text)
    supported = 0
    for a, b in spans:
        sentence = text[a:b]
        chosen = []
        if not unsupported_names(sentence, known):
            chosen = _support(
                stems(sentence) - _VERDICTS, candidates, candidate_stems, weights
            ) or _clause_support(sentence, candidates, candidate_stems, weights)
        marks = []
        for candidate in chosen:
            key = (candidate.passage.article_id, candidate.start)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(_citation(numbers[key], candidate))
            marks.append(f"[{numbers[key]}]")
        supported += bool(marks)
        # Markers go before the final stop ("... for Ukraine [1].") unless the sentence
        # ends inside a quotation or bracket: then after it ('... "good faith." [1]').
        tail = len(sentence) - len(sentence.rstrip(_STOPS))
        cut = b - tail if 0 < tail < len(sentence) else b
        pieces.append(text[cursor:cut])
        pieces.append((" " + "".join(dict.fromkeys(marks))) if marks else "")
        pieces.append(text[cut:b])
        cursor = b
    pieces.append(text[cursor:])
    return Cited("".join(pieces), citations, len(spans), supported)


def _support(
    wanted: set[str],
    candidates: list[Sentence],
    candidate_stems: list[set[str]],
    weights: dict[str, float],
) -> list[Sentence]:
    if not wanted:
        return []
    # Words no passage contains weigh as much as the rarest words: unsupported claims.
    unseen = 1.0 + math.log(len(candidates) + 1)
    total = sum(weights.get(t, unseen) for t in wanted)
    best, best_have, best_score = None, set(), 0.0
    for candidate, have in zip(candidates, candidate_stems, strict=True):
        score = sum(weights[t] for t in wanted & have) / total
        if score > best_score + 1e-9:
            best, best_have, best_score = candidate, have, score
    if (
        best is None
        or best_score < MIN_SUPPORT
        or len(wanted & stems(best.text)) < min(2, len(wanted))
    ):
        return []
    chosen = [best]
    # A sentence joining two facts gets a second quote when one sentence elsewhere
    # holds a good part of what the first quote does not.
    rest = wanted - best_have
    need = max(MIN_EXTRA_TERMS, math.ceil(EXTRA_SHARE * len(rest)))
    if len(rest) >= need:
        extra = max(candidates, key=lambda c: len(rest & stems(c.text)))
        if extra is not best and len(rest & stems(extra.text)) >= need:
            chosen.append(extra)
    return chosen


def clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence`` that each hold a claim (at least 3 content words).

    Splits at semicolons, commas and joining words ("while", "whereas", "but", "and");
    a piece too short to be a claim stays with the clause before it.

    >>> clauses("The Verge says fees rose sharply, while TechCrunch says fees fell.")
    ['The Verge says fees rose sharply', 'TechCrunch says fees fell.']
    """
    out: list[str] = []
    for piece in _CLAUSE_BREAK.split(sentence):
        if out and len(stems(out[-1]) - _VERDICTS) < MIN_CLAUSE_TERMS:
            out[-1] = f"{out[-1]} {piece}"
        elif piece.strip():
            out.append(piece.strip())
    if len(out) > 1 and len(stems(out[-1]) - _VERDICTS) < MIN_CLAUSE_TERMS:
        out[-2:] = [f"{out[-2]} {out[-1]}"]
    return out


def _clause_support(
    sentence: str,
    candidates: list[Sentence],
    candidate_stems: list[set[str]],
    weights: dict[str, float],
) -> list[Sentence]:
    """Quotes for a sentence joining claims from several articles ("A says X, while B
    says Y"): every clause must be supported on its own, else nothing is cited."""
    parts = clauses(sentence)
    if len(parts) < 2:
        return []
    chosen: list[Sentence] = []
    for part in parts:
        found = _support(stems(part) - _VERDICTS, candidates, candidate_stems, weights)
        if not found:
            return []
        chosen.append(found[0])
    return list({(c.passage.article_id, c.start): c for c in chosen}.values())


def unsupported_names(sentence: str, known: set[str]) -> list[str]:
    """Capitalized words (not opening the sentence) that no passage mentions.

    A name the articles never mention ("Elon Musk" in an answer about FTX) means the
    sentence is not supported, however many other words it shares with a quote.

    >>> unsupported_names("The CEO is Elon Musk, said Reuters.", {"reuter", "ceo"})
    ['Elon', 'Musk']
    """
    words = _WORD.findall(sentence)[1:]
    return [
        w
        for w in words
        if w[0].isupper() and w.lower() not in _VERDICTS and not (stems(w) - {"s"}) <= known
    ]


def _idf(candidate_stems: list[set[str]]) -> dict[str, float]:
    df: dict[str, int] = {}
    for have in candidate_stems:
        for t in have:
            df[t] = df.get(t, 0) + 1
    n = len(candidate_stems)
    return {t: 1.0 + math.log((n + 1) / (d + 1)) for t, d in df.items()}


def _unique(sentences: list[Sentence]) -> list[Sentence]:
    seen: dict[tuple[str, int], Sentence] = {}
    for s in sentences:
        seen.setdefault((s.passage.article_id, s.start), s)
    return list(seen.values())


def _citation(n: int, s: Sentence) -> Citation:
    p = s.passage
    return Citation(
        n=n,
        article_id=p.article_id,
        title=p.title,
        source=p.source,
        url=p.url,
        published_at=p.published_at,
        quote=s.text,
        chunk_id=p.chunk_id,
        start=s.start,
        end=s.end,
    )
