"""Dates and periods in questions, relative to the day they are asked."""

from __future__ import annotations

import time
from datetime import date

import pytest

from rag.when import as_date, time_scope

ASKED = "2023-11-22"  # a Wednesday


@pytest.mark.parametrize(
    ("question", "after", "before"),
    [
        ("What happened last week with the strike?", "2023-11-13", "2023-11-19"),
        ("anything this week on openai", "2023-11-20", "2023-11-22"),
        ("What did Fortune report on 14 November 2023?", "2023-11-14", "2023-11-14"),
        ("news from June 14", "2023-06-14", None),
        ("what happened yesterday in Gaza", "2023-11-21", "2023-11-21"),
        ("Tesla news this year", "2023-01-01", "2023-11-22"),
        ("what happened before November 3, 2023 with the strike", None, "2023-11-02"),
        ("after Oct 1, what did Apple say?", "2023-10-01", None),
        ("what happened in november", "2023-11-01", "2023-11-22"),
        ("What did Biden say in October?", "2023-10-01", "2023-10-31"),
        ("In the past 3 days, what happened?", "2023-11-19", "2023-11-22"),
        ("what was reported last month", "2023-10-01", "2023-10-31"),
        ("2023-11-02 news on the trial", "2023-11-02", "2023-11-02"),
        ("As of November 10, who led OpenAI?", None, "2023-11-10"),
    ],
)
def test_periods(question: str, after: str | None, before: str | None) -> None:
    scope = time_scope(question, ASKED)
    assert (str(scope.after) if scope.after else None, str(scope.before) if scope.before else None) == (after, before)


@pytest.mark.parametrize(
    "question",
    [
        "What may happen to the loan?",
        "March on Washington: who spoke?",
        "How much did the 2023 budget add?",
        "g7 loan?",
        "Who put a higher value on Mar-a-Lago, Bloomberg or the state?",
        "Is the Jan-Feb special on the May-December romance out?",
        "Did The Verge report on October 3, 2023 that rents rose, and did Wired say on November 5, 2023 that prices fell?",
    ],
)
def test_no_single_period(question: str) -> None:
    assert not time_scope(question, ASKED).bounded


def test_recency_words() -> None:
    assert time_scope("what's the latest on the ftx trial", ASKED).recency
    assert time_scope("Any updates on Ukraine?", ASKED).recency
    assert time_scope("most recent report about Altman", ASKED).recency
    assert not time_scope("Who rejected Putin's offer?", ASKED).recency


def test_as_of_forms_and_errors() -> None:
    assert as_date("2023-11-20T10:00:00Z") == date(2023, 11, 20)
    assert as_date(date(2024, 1, 2)) == date(2024, 1, 2)
    with pytest.raises(ValueError, match="as_of must be a date"):
        as_date("not a date at all")


def test_future_dates_are_capped_at_as_of() -> None:
    scope = time_scope("what happened this month", "2023-11-05")
    assert scope.before == date(2023, 11, 5)


def test_long_questions_stay_fast() -> None:
    started = time.perf_counter()
    for text in ("last " * 5000, "on " * 5000 + "June", "1" * 20000, "May " * 4000):
        time_scope(text, ASKED)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("question", "yearless"),
    [
        ("what happened in late September?", True),
        ("news from June 14", True),
        ("What did Fortune report on 14 November 2023?", False),
        ("what happened last week", False),
        ("g7 loan?", False),
    ],
)
def test_periods_named_without_a_year_may_mean_an_earlier_one(question: str, yearless: bool) -> None:
    scope = time_scope(question, ASKED)
    assert scope.yearless is yearless
    if yearless:
        earlier = scope.years_back(1)
        assert earlier.after is not None and earlier.after.year == 2022
