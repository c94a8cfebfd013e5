"""Where reports disagree: values of the same fact that differ between articles."""

from __future__ import annotations

import pytest

from rag.conflicts import describe, find_conflicts, values
from rag.text import Sentence
from rag.types import Passage

QUESTION = "How big is the G7 loan for Ukraine?"


def said(article: str, text: str, source: str | None = None, day: str | None = None,
         story: str | None = None, before: str = "") -> Sentence:  # fmt: skip
    """A sentence making up a whole one-chunk article."""
    passage = Passage(
        f"{article}:0", article, text, "G7 summit", source or article, None, day, 0,
        len(text), story_id=story or article,
    )  # fmt: skip
    return Sentence(passage, 0, len(text), text, before)


def kinds(question: str, *sentences: Sentence) -> list[tuple[str, ...]]:
    return [c.kind for c in find_conflicts(question, sentences)]


@pytest.mark.parametrize(
    "other",
    [
        "G7 leaders agreed a loan of 46 billion euros for Ukraine.",
        "G7 leaders agreed a loan of €46,000 million for Ukraine.",
        "G7 leaders agreed a loan of EUR 46bn for Ukraine.",
        "G7 leaders agreed a loan of €46.0 billion for Ukraine.",
        "G7 leaders agreed a loan of about €45bn for Ukraine.",  # hedged, within 10%
    ],
)
def test_same_amount_in_another_format_agrees(other: str) -> None:
    a = said("a", "G7 leaders agreed a loan of €46bn for Ukraine.")
    assert kinds(QUESTION, a, said("b", other)) == []


def test_different_amounts_conflict_and_are_described_side_by_side() -> None:
    a = said("a", "G7 leaders agreed a loan of €46bn for Ukraine.", "Reuters", "2024-06-14")
    b = said("b", "G7 leaders agreed a €50 billion loan for Ukraine.", "Kyiv Independent",
             "2024-06-13")  # fmt: skip
    found = find_conflicts(QUESTION, [a, b])
    assert [c.kind for c in found] == [("money", "EUR")]
    assert describe(found, {a: 1, b: 2}.get) == (
        "Reports differ: Reuters (2024-06-14): €46bn [1]; "
        "Kyiv Independent (2024-06-13): €50 billion [2]."
    )
    assert "[" not in describe(found, lambda s: None)


def test_rounded_value_agrees_but_a_changed_digit_does_not() -> None:
    a = said("a", "The firm made $1.43 billion from the G7 loan deal for Ukraine.")
    assert not kinds(
        QUESTION, a, said("b", "The firm made $1.4bn from the G7 loan deal for Ukraine.")
    )
    assert not kinds(
        QUESTION, a, said("c", "The firm made $1.43bn on the G7 loan deal for Ukraine.")
    )
    assert kinds(QUESTION, a, said("d", "The firm made $1.53bn from the G7 loan deal for Ukraine."))


def test_rounding_is_read_from_the_coarser_value() -> None:
    [rough] = values("a $1.4bn loan")
    [fine] = values("a $1.43 billion loan")
    assert rough.agrees(fine) and fine.agrees(rough)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        # Currency must match: dollars and euros are different facts.
        ("G7 leaders agreed a loan of €46bn for Ukraine.",
         "G7 leaders agreed a loan of $50bn for Ukraine."),
        # A count of another noun.
        ("The G7 loan for Ukraine will pay 1,200 soldiers.",
         "The G7 loan for Ukraine will pay 1,500 contractors."),
        # A date and an amount never conflict.
        ("G7 leaders agreed the loan for Ukraine on June 14.",
         "G7 leaders agreed the loan for Ukraine of €50bn."),
        # A percentage and a count.
        ("The G7 loan for Ukraine covers 40% of the budget.",
         "The G7 loan for Ukraine covers 12 ministries of the budget."),
    ],
)  # fmt: skip
def test_values_of_different_kinds_never_conflict(first: str, second: str) -> None:
    assert kinds(QUESTION, said("a", first), said("b", second)) == []


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        ("The G7 loan for Ukraine covers 40% of the budget.",
         "The G7 loan for Ukraine covers 35 per cent of the budget.", ("percent",)),
        ("The G7 loan for Ukraine will pay 1,200 soldiers.",
         "The G7 loan for Ukraine will pay 900 soldiers.", ("count", "soldie")),
        ("G7 leaders agreed the loan for Ukraine on June 14.",
         "G7 leaders agreed the loan for Ukraine on 13 June.", ("date",)),
        ("G7 leaders first proposed the loan for Ukraine in 2022.",
         "G7 leaders first proposed the loan for Ukraine in 2023.", ("year",)),
        ("Ukraine beat the G7 team 2-1 after the loan talks.",
         "Ukraine beat the G7 team 3-1 after the loan talks.", ("score",)),
        ("The G7 loan for Ukraine will run for three years.",
         "The G7 loan for Ukraine will run for five years.", ("count", "year")),
    ],
)  # fmt: skip
def test_each_kind_of_value_can_conflict(first: str, second: str, kind: tuple[str, ...]) -> None:
    assert kinds(QUESTION, said("a", first), said("b", second)) == [kind]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("G7 leaders agreed the loan for Ukraine on June 14.",
         "G7 leaders agreed the loan for Ukraine on 14 June 2024."),
        ("G7 leaders agreed the loan for Ukraine on Jun. 14, 2024.",
         "On 2024-06-14 G7 leaders agreed the loan for Ukraine."),
        ("The G7 loan for Ukraine covers 40% of the budget.",
         "The G7 loan for Ukraine covers 40 percent of the budget."),
        ("Ukraine beat the G7 team 2-1 after the loan talks.",
         "The G7 team lost 1-2 to Ukraine after the loan talks."),
    ],
)  # fmt: skip
def test_same_date_percent_or_score_in_other_words_agrees(first: str, second: str) -> None:
    assert kinds(QUESTION, said("a", first), said("b", second)) == []


def test_copies_of_one_story_with_the_same_value_do_not_conflict() -> None:
    text = "G7 leaders agreed a loan of €46bn for Ukraine."
    copies = [said(f"copy{i}", text, f"Outlet {i}", story="wire-1") for i in range(3)]
    assert find_conflicts(QUESTION, copies) == []


def test_a_third_report_that_differs_lists_every_article_once() -> None:
    text = "G7 leaders agreed a loan of €46bn for Ukraine."
    copies = [said(f"copy{i}", text, f"Outlet {i}", story="wire-1") for i in range(2)]
    other = said("other", "G7 leaders agreed a loan of €50bn for Ukraine.", "Kyiv Post")
    [conflict] = find_conflicts(QUESTION, [*copies, other])
    assert {s.passage.article_id for s, _ in conflict.items} == {"copy0", "copy1", "other"}


def test_sentences_of_one_article_never_conflict() -> None:
    passage = Passage("a:0", "a", "", "G7 summit", "Reuters", None, None, 0, 0)
    first = Sentence(passage, 0, 10, "G7 leaders agreed a loan of €46bn for Ukraine.")
    later = Sentence(passage, 11, 20, "G7 leaders agreed a loan of €50bn for Ukraine.")
    assert find_conflicts(QUESTION, [first, later]) == []


def test_a_value_the_other_article_states_elsewhere_agrees() -> None:
    a = said("a", "G7 leaders agreed a loan for Ukraine in 2024, after talks began in 2022.")
    b1 = Sentence(said("b", "").passage, 0, 0, "G7 leaders agreed a loan for Ukraine in 2024.")
    b2 = Sentence(b1.passage, 50, 90, "Talks on the G7 loan for Ukraine began in 2022.")
    assert find_conflicts(QUESTION, [a, b1, b2]) == []


def test_sentences_about_other_subjects_do_not_conflict() -> None:
    a = said("a", "G7 leaders agreed a loan of €46bn for Ukraine.")
    b = said("b", "The European Central Bank holds €50bn of Russian assets in Belgium.")
    assert find_conflicts(QUESTION, [a, b]) == []


def test_labels_and_ranges_are_not_values() -> None:
    assert values("In Week 13 the G7 loan was discussed for 12-22 hours.") == []


def test_question_kind_comes_first() -> None:
    a = said("a", "On June 14, G7 leaders agreed a loan of €46bn for Ukraine.")
    b = said("b", "On June 13, G7 leaders agreed a loan of €50bn for Ukraine.")
    assert kinds("When was the G7 loan for Ukraine agreed?", a, b)[0] == ("date",)
    assert kinds("How much is the G7 loan for Ukraine?", a, b)[0] == ("money", "EUR")


def test_no_conflicts_describe_to_nothing() -> None:
    assert describe([], lambda s: 1) == ""


@pytest.mark.parametrize(
    ("question", "one", "other"),
    [
        (
            "What raise did ferry crews get?",
            "The company said the union had demanded a 9% raise for ferry crews.",
            "The ferry company said it had offered crews a 5% raise.",
        ),
        (
            "What was the quarterly revenue?",
            "Analysts had expected quarterly revenue of $5.1 billion.",
            "The company reported quarterly revenue of $4.8 billion.",
        ),
        (
            "How much were emissions cut?",
            "The government plans to cut emissions by 40% by 2030.",
            "Emissions were cut by 12% by 2022, the government said.",
        ),
    ],
)
def test_a_demand_and_an_offer_or_a_forecast_and_a_result_are_two_facts(
    question: str, one: str, other: str
) -> None:
    assert kinds(question, said("a", one), said("b", other)) == []
    # The same sentence with its value changed (the stance kept) does conflict.
    changed = one.replace("9%", "7%").replace("5.1", "5.6").replace("40%", "30%")
    assert kinds(question, said("a", one), said("b", changed))
