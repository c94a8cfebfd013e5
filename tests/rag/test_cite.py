"""The citation matcher: answer sentences -> verbatim quotes with exact offsets."""

from __future__ import annotations

from rag.cite import Checks, cite, strip_markers
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


# -- verification: a sentence is cited only to a quote that says what it says ----------

TRIAL = (
    "Prosecutors opened their case on Wednesday. They argue that Bankman-Fried lied to "
    "investors and took $8 billion. His lawyers told the jury that he acted in good faith. "
    "Ukraine demanded that Russia withdraw its troops from all territories."
)


def _trial() -> list[Passage]:
    return [Passage("t:0", "t", TRIAL, "SBF trial opens", "Fortune", None, "2023-10-04", 0, len(TRIAL))]


def test_words_put_in_the_wrong_mouth_are_not_cited() -> None:
    wrong = cite("Bankman-Fried's lawyers argued that he lied to investors.", _trial())
    assert wrong.citations == [] and wrong.text == ""
    assert wrong.dropped == ["Bankman-Fried's lawyers argued that he lied to investors."]
    right = cite("Prosecutors argue that Bankman-Fried lied to investors.", _trial())
    (citation,) = right.citations
    assert citation.quote.startswith("They argue") and citation.context.startswith("Prosecutors")


def test_a_demand_is_cited_only_for_who_made_it() -> None:
    assert cite("Putin demanded that Russia withdraw its troops.", _trial()).citations == []
    assert cite("Ukraine demanded that Russia withdraw its troops.", _trial()).citations


def test_numbers_outlets_and_months_must_be_in_the_quote_or_header() -> None:
    assert cite("Prosecutors say he took $9 billion.", _trial()).citations == []
    assert cite("Prosecutors say he took $8 billion.", _trial()).citations
    assert cite("The Verge reported that prosecutors say he took $8 billion.", _trial()).citations == []
    assert cite("Fortune reported that prosecutors say he took $8 billion.", _trial()).citations
    assert cite("In March, prosecutors argued he lied to investors.", _trial()).citations == []
    assert cite("In October, prosecutors argued he lied to investors.", _trial()).citations


def test_unsupported_sentences_dropped_marked_or_kept() -> None:
    answer = "Prosecutors argue that Bankman-Fried lied to investors. China backed the plan."
    dropped = cite(answer, _trial())
    assert dropped.text == "Prosecutors argue that Bankman-Fried lied to investors [1]."
    marked = cite(answer, _trial(), checks=Checks(unsupported="mark"))
    assert marked.text.endswith("China backed the plan (unverified).")
    kept = cite(answer, _trial(), checks=Checks(unsupported="keep"))
    assert kept.text.endswith("China backed the plan.") and kept.dropped == []


def test_a_verdict_without_a_supported_sentence_is_unverified() -> None:
    bare = cite("No. China did not support Putin's proposal.", _trial())
    assert bare.verdict == "No" and bare.unverified_verdict
    backed = cite("Yes. Prosecutors argue that Bankman-Fried lied to investors.", _trial())
    assert backed.verdict == "Yes" and not backed.unverified_verdict


def test_checks_can_be_switched_off() -> None:
    loose = Checks(facts=False, speaker=False)
    assert cite("Bankman-Fried's lawyers argued that he lied to investors.", _trial(), checks=loose).citations


def _antitrust() -> list[Passage]:
    one = "Google is accused by news publishers of harming their revenue in a class action suit."
    two = "Google pays Apple billions for default search engine deals, the trial heard."
    return [
        Passage("t:0", "t", one, "Publishers sue", "TechCrunch", None, "2023-12-15", 0, len(one)),
        Passage("v:0", "v", two, "Trial", "The Verge", None, "2023-11-06", 0, len(two)),
    ]


ASKED = (
    "Which company is accused by news publishers of harming their revenue in a class action "
    "suit, as TechCrunch reported, and pays for default search engine deals, as The Verge reported?"
)


def test_a_sentence_restating_the_question_is_checked_for_what_it_adds() -> None:
    # No one quote holds this restated question; what the sentence adds ("Google") is
    # in a quote of each article, with the question's words: both are cited.
    restated = (
        "Google is the company accused by news publishers of harming their revenue in a "
        "class action suit and paying for default search engine deals, as TechCrunch and "
        "The Verge reported."
    )
    cited = cite(restated, _antitrust(), question=ASKED)
    assert cited.supported == 1 and {c.article_id for c in cited.citations} == {"t", "v"}
    assert cite(restated, _antitrust(), checks=Checks(premises=False), question=ASKED).text == ""
    # What it adds must be in a quote, and a restatement adding nothing is no answer.
    wrong = "Microsoft is the company accused by news publishers of harming their revenue."
    assert cite(wrong, _antitrust(), question=ASKED).text == ""
    empty = "The company is accused by news publishers of harming their revenue in a suit."
    assert cite(empty, _antitrust(), question=ASKED).text == ""


def test_a_verdict_restating_a_comparison_cites_both_reports() -> None:
    asked = "Did TechCrunch report that news publishers sued Google after The Verge covered its default search engine deals?"
    said = "Yes, TechCrunch reported that news publishers sued Google after The Verge covered its default search engine deals."
    cited = cite(said, _antitrust(), question=asked)
    assert cited.verdict == "Yes" and not cited.unverified_verdict
    assert {c.article_id for c in cited.citations} == {"t", "v"}


def test_a_restated_answer_must_name_whom_the_quotes_tie_to_the_question() -> None:
    one = "Wang testified that Bankman-Fried told another trader that withdrawing funds was fine."
    two = "Prosecutors say Bankman-Fried committed fraud at FTX for personal gain."
    passages = [
        Passage("f:0", "f", one, "Trial day 3", "Fortune", None, "2023-10-06", 0, len(one)),
        Passage("t:0", "t", two, "Trial opens", "TechCrunch", None, "2023-10-04", 0, len(two)),
    ]
    asked = "Who told a trader that withdrawing funds was fine and committed fraud at FTX for personal gain?"
    wrong = cite("Wang is the one who told a trader that withdrawing funds was fine.", passages, question=asked)
    assert wrong.text == ""
    right = cite(
        "Bankman-Fried is the one who told a trader that withdrawing funds was fine and "
        "committed fraud at FTX for personal gain.",
        passages,
        question=asked,
    )
    assert {c.article_id for c in right.citations} == {"f", "t"}


def test_a_bare_name_answering_the_question_is_cited_to_quotes_tying_it_to_it() -> None:
    assert {c.article_id for c in cite("Google.", _antitrust(), question=ASKED).citations} == {"t", "v"}
    assert cite("Microsoft.", _antitrust(), question=ASKED).text == ""


def test_what_a_sentence_adds_to_the_question_must_be_in_its_quote() -> None:
    # The question's words are in any quote retrieval found; the claim is what the
    # sentence adds ("by apologising and recalling ..."), and no quote holds it.
    body = "Mattel has been criticised for its new Barbie honouring Wilma Mankiller. Sales began on Monday."
    p = Passage("m:0", "m", body, "Barbie row", "Wire", None, "2023-11-20", 0, len(body))
    asked = "How did Mattel respond to the criticism of the Wilma Mankiller Barbie?"
    said = "Mattel responded to the criticism of the Wilma Mankiller Barbie by apologising and recalling it."
    assert cite(said, [p], question=asked).text == ""
    assert cite(said, [p], question=asked, checks=Checks(premises=False)).citations


def test_a_sentence_the_model_repeats_is_shown_once() -> None:
    said = "The G7 agreed a €46 billion loan package for Ukraine."
    cited = cite(f"{said}\n{said}", _passages())
    assert cited.text == "The G7 agreed a €46 billion loan package for Ukraine [1]."
