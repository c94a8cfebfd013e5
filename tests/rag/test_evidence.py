"""Evidence selection: the few sentences the model reads."""

from __future__ import annotations

from rag.evidence import scored_sentences, select_evidence
from rag.text import stems
from rag.types import Passage


def _p(cid: str, text: str, start: int = 0) -> Passage:
    return Passage(cid, cid.split(":")[0], text, "T", "Wire", None, None, start, start + len(text))


def test_best_sentence_first_and_offsets_in_article() -> None:
    p = _p(
        "a:2", "Rain fell all day. The bridge reopened on Monday after repairs. Cars queued.", 500
    )
    ranked = scored_sentences("When did the bridge reopen?", [p])
    best = ranked[0][0]
    assert best.text == "The bridge reopened on Monday after repairs."
    assert (best.start, best.end) == (500 + p.text.index("The bridge"), 500 + p.text.index(" Cars"))


def test_every_passage_contributes_within_budget() -> None:
    a = _p("a:0", "Apple sold more phones in the quarter. " * 3 + "Profits rose.")
    b = _p("b:0", "Samsung sold fewer phones in the quarter. Its profits fell.")
    chosen = select_evidence("Did Apple or Samsung sell more phones?", [a, b], budget_chars=120)
    assert {s.passage.article_id for s in chosen} == {"a", "b"}
    assert sum(len(s.text) for s in chosen) <= 120


def test_stems_ignore_stopwords_and_inflection() -> None:
    assert stems("The loans") == stems("loans were") - {"were"} == {"loans"}
