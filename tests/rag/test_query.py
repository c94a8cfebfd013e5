"""Reading questions for outlets, dates and parts (examples written for these tests)."""

from __future__ import annotations

from datetime import date

from rag.outlets import same_outlet
from rag.query import (
    day_range,
    find_dates,
    find_outlets,
    plan_query,
    unknown_outlets,
)

OUTLETS = [
    "The Verge",
    "Wired",
    "Fortune",
    "Cnbc | World Business News Leader",
    "The Independent - Life and Style",
    "The Independent - Sports",
    "TechCrunch",
]


def test_outlet_mentions_are_capitalized_names() -> None:
    q = "Did Wired and the fortune tellers agree with The Verge?"
    assert [m[2] for m in find_outlets(q, OUTLETS)] == ["Wired", "The Verge"]
    assert [m[2] for m in find_outlets("a CNBC report", OUTLETS)] == [
        "Cnbc | World Business News Leader"
    ]


def test_sub_sections_of_an_outlet_all_match() -> None:
    found = {m[2] for m in find_outlets("What did The Independent say?", OUTLETS)}
    assert found == {"The Independent - Life and Style", "The Independent - Sports"}


def test_dates_in_words_and_iso() -> None:
    assert [d for _, d in find_dates("on March 3rd, 2024 and 2024-03-09")] == [
        date(2024, 3, 3),
        date(2024, 3, 9),
    ]
    assert find_dates("May 5") == [], "no year, no date"
    start, end = day_range(date(2024, 3, 3))
    assert end - start == 3 * 86400 - 1


def test_two_part_question_gets_one_part_per_outlet_with_its_day() -> None:
    q = (
        "Did the TechCrunch article from January 9, 2024 about battery recycling plants agree "
        "with the report by Wired on January 20, 2024, describing new lithium mines?"
    )
    plan = plan_query(q, OUTLETS)
    assert [(p.sources, p.day) for p in plan.parts] == [
        (("TechCrunch",), date(2024, 1, 9)),
        (("Wired",), date(2024, 1, 20)),
    ]
    assert "battery recycling" in plan.parts[0].query and "TechCrunch" not in plan.parts[0].query
    assert "lithium mines" in plan.parts[1].query and "January" not in plan.parts[1].query


def test_listed_outlets_are_searched_together() -> None:
    q = "Which startup raised the largest seed round, as reported by Wired, Fortune, and TechCrunch?"
    plan = plan_query(q, OUTLETS)
    assert [p.sources for p in plan.parts] == [("Wired", "Fortune", "TechCrunch")]
    assert all("seed round" in p.query for p in plan.parts)


def test_unknown_outlets_are_named_and_known_ones_are_not() -> None:
    q = "According to a Reuters report and an article from The Verge, who resigned?"
    assert unknown_outlets(q, OUTLETS) == ["Reuters"]
    listed = "What do articles from The Daily Planet and The Gotham Gazette say about Wired?"
    assert unknown_outlets(listed, OUTLETS) == ["The Daily Planet", "The Gotham Gazette"]
    topical = "Did the TechCrunch report on Nvidia's earnings mention the report on March 3, 2024?"
    assert unknown_outlets(topical, OUTLETS) == []
    assert same_outlet("the independent", "The Independent - Sports")
