"""The citation matcher: answer sentences -> verbatim quotes with exact offsets."""

from __future__ import annotations

from rag.cite import cite, strip_markers
from rag.types import Passage

BODY = (
    "Leaders met in Italy on Thursday. The G7 agreed a €46 billion loan package for Ukraine. "
    "The money comes from frozen Russian assets.\n\n"
    "Separately, NATO's chief rejected Putin's ceasefire offer in Brussels. "
    "He said it was not made in good faith."
)


def _passages() -> list[Passage]:
    cut = BODY.index("Separately")
    return [
        Passage(
            "a:0",
            "a",
            BODY[:cut].rstrip(),
            "Summit news",
            "Wire",
            None,
            "2024-06-14",
            0,
            len(BODY[:cut].rstrip()),
        ),
        Passage("a:1", "a", BODY[cut:], "Summit news", "Wire", None, "2024-06-14", cut, len(BODY)),
    ]


def test_supported_sentences_get_markers_and_exact_quotes() -> None:
    answer = "The G7 agreed a loan package of €46 billion for Ukraine. NATO's chief rejected Putin's offer."
    cited = cite(answer, _passages())
    assert cited.sentences == 2 and cited.supported == 2
    assert cited.text.count("[1]") == 1 and cited.text.count("[2]") == 1
    first, second = cited.citations
    assert "46 billion" in first.quote
    assert "NATO" in second.quote
    for c in cited.citations:
        assert BODY[c.start : c.end] == c.quote, "quotes are verbatim slices of the body"


def test_unsupported_sentence_gets_no_marker() -> None:
    cited = cite("The weather in Paris was sunny and warm all week.", _passages())
    assert cited.citations == [] and cited.supported == 0
    assert "[" not in cited.text


def test_model_markers_are_replaced_by_the_systems_own() -> None:
    cited = cite("The G7 agreed a €46 billion loan package [7][8].", _passages())
    assert "[7]" not in cited.text and "[8]" not in cited.text
    assert cited.text.endswith("package [1].")
    assert strip_markers("x [1, 2] y [3-4].") == "x y."


def test_same_quote_reuses_its_number() -> None:
    cited = cite(
        "The G7 agreed a €46 billion loan. The €46 billion loan package is for Ukraine.",
        _passages(),
    )
    assert [c.n for c in cited.citations] == [1]
    assert cited.text.count("[1]") == 2


def test_sentence_joining_two_facts_cites_both() -> None:
    answer = "The G7 agreed a €46 billion loan package while NATO's chief rejected Putin's ceasefire offer."
    cited = cite(answer, _passages())
    quotes = [c.quote for c in cited.citations]
    assert any("46 billion" in q for q in quotes) and any("NATO" in q for q in quotes)


def test_a_name_no_passage_mentions_leaves_the_sentence_uncited() -> None:
    cited = cite("The €46 billion loan package for Ukraine was agreed by Elon Musk.", _passages())
    assert cited.citations == [] and cited.supported == 0


def test_a_bare_verdict_is_not_cited() -> None:
    cited = cite("Yes. The G7 agreed a €46 billion loan package for Ukraine.", _passages())
    assert cited.sentences == 2 and cited.supported == 1
    assert cited.text.startswith("Yes. The G7")


def test_sentence_comparing_two_reports_cites_each_clause() -> None:
    # Neither quote alone holds enough of the sentence; each clause has its own.
    answer = (
        "The report says leaders met in Italy on Thursday and agreed a €46 billion loan "
        "package for Ukraine from frozen Russian assets, while NATO's chief rejected "
        "Putin's ceasefire offer in Brussels as not made in good faith."
    )
    cited = cite(answer, _passages())
    assert cited.supported == 1
    quotes = " ".join(c.quote for c in cited.citations)
    assert "46 billion" in quotes and "NATO" in quotes


def test_a_clause_without_support_leaves_the_whole_sentence_uncited() -> None:
    answer = (
        "The G7 agreed a €46 billion loan package for Ukraine from frozen Russian assets, "
        "while the weather in Paris stayed sunny and warm all week."
    )
    cited = cite(answer, _passages())
    assert cited.supported == 0 and cited.citations == []
