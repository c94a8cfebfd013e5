"""Question kinds in ordinary wording, and the speaker an attribution question asks about."""

from __future__ import annotations

import pytest

from rag.understand import classify, is_yes_no, topic_text


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Did China support Putin's proposal?", "yesno"),
        ("Is it true that the G7 agreed a loan?", "yesno"),
        ("Has Altman returned to OpenAI?", "yesno"),
        ("didnt the fed raise rates", "yesno"),
        ("Can you summarise the article about Putin's offer?", "summary"),
        ("Could you tell me what Biden signed?", "factoid"),
        ("Please tell me who won the game", "factoid"),
        ("What's the latest on the FTX trial?", "summary"),
        ("Were there any updates on Ukraine?", "summary"),
        ("what happened with the writers strike", "summary"),
        ("give me the gist of the OpenAI story", "summary"),
        ("What did Putin demand in exchange for a ceasefire?", "attribution"),
        ("According to Podolyak, what does Kyiv want?", "attribution"),
        ("How did Microsoft respond to Altman's firing?", "attribution"),
        ("Did The Verge and TechCrunch agree on the fee?", "yesno"),
        ("How do The Verge and TechCrunch differ on the fee?", "comparison"),
        ("g7 loan?", "factoid"),
        ("Who rejected Putin's offer?", "factoid"),
    ],
)
def test_kinds(question: str, kind: str) -> None:
    assert classify(question).kind == kind


def test_speakers() -> None:
    assert classify("What did Sam Bankman-Fried's lawyers argue?").speaker == "Sam Bankman-Fried's lawyers"
    assert classify("according to zelensky what is needed").speaker == "zelensky"
    assert classify("What did it say?").speaker is None


@pytest.mark.parametrize(
    ("question", "compares"),
    [
        ("Did The Guardian and The Independent report the same score?", True),
        ("Was there a change between the October report and the December one?", True),
        ("Did TechCrunch report on the deal before The Verge discussed it?", True),
        ("Is the Verge's account consistent with Fortune's?", True),
        ("Did CZ plead guilty?", False),
        ("Has the IIHS crash-tested the Cybertruck yet?", False),
        ("Did the Chicago Fire beat Inter Miami while Messi was out injured?", False),
    ],
)
def test_yes_no_questions_that_set_reports_against_each_other(question: str, compares: bool) -> None:
    kind = classify(question)
    assert kind.kind == "yesno" and kind.compares is compares


def test_requests_are_not_yes_no() -> None:
    assert not is_yes_no("Can you list the outlets that covered it?")
    assert not is_yes_no("Would you explain the ruling?")
    assert is_yes_no("Can the loan be repaid early?")


def test_long_inputs_are_linear() -> None:
    import time

    started = time.perf_counter()
    for text in ("did " * 5000, "a, " * 8000 + "is", "according to " * 2000, "what did " + "x " * 9000 + "say"):
        classify(text)
    assert time.perf_counter() - started < 3


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Quick rundown of the Michigan sign-stealing mess?", "of the Michigan sign-stealing mess?"),
        ("What's the Emma Hayes news in a nutshell?", "What's the Emma Hayes news ?"),
        ("Sum up the Rugby World Cup final for me", "the Rugby World Cup final"),
        ("Could you tell me what Biden signed?", "what Biden signed?"),
        ("How much did Alameda owe FTX?", "How much did Alameda owe FTX?"),
        ("Can you explain why?", "Can you explain why?"),  # nothing left to search for
    ],
)
def test_the_words_of_asking_are_not_searched_for(question: str, topic: str) -> None:
    assert topic_text(question) == topic
