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


def test_an_article_that_barely_bears_on_the_question_gives_way() -> None:
    # The study article's second sentence (with the count) beats the unrelated
    # article's "best" sentence, which shares only a common word with the question.
    study = _p(
        "s:0",
        "Cannabis use in pregnancy raised the risk of small babies, the study found. "
        "The study screened urine samples from 9,200 pregnant people.",
    )
    other = _p("o:0", "Another study looked at how older adults sleep.")
    question = "cannabis pregnancy study how many women"
    chosen = select_evidence(question, [study, other], budget_chars=140)
    assert [s.passage.article_id for s in chosen] == ["s", "s"]
    assert any("9,200" in s.text for s in chosen)


def test_a_quantity_question_prefers_sentences_with_numbers() -> None:
    p = _p("a:0", "The bridge repairs cost the city dearly. The bridge repairs cost $4 million.")
    assert scored_sentences("How much did the bridge repairs cost?", [p])[0][0].text.endswith(
        "$4 million."
    )
    assert scored_sentences("Why did the bridge repairs cost the city?", [p])[0][0].text.endswith(
        "dearly."
    )
