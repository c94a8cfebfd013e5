"""Lone surnames in answers get the full name the passages give."""

from __future__ import annotations

from rag.names import expand_surnames, full_names

TEXTS = [
    "Chiefs tight end Travis Kelce scored twice. Kelce later thanked fans.",
    "Then Sam Bankman-Fried spoke; later Bankman-Fried left, and Sam smiled.",
    "Other Google employees left. Microsoft Sam Altman joined, said its chief.",
]


def test_only_plausible_people_are_recorded() -> None:
    names = full_names(TEXTS)
    assert names["Kelce"] == "Travis Kelce"
    assert names["Bankman-Fried"] == "Sam Bankman-Fried"
    assert "Google" not in names, "'Other' only ever opens a sentence"
    assert "Altman" not in names, "a three-word run is not a first and last name"


def test_first_lone_use_is_expanded_once() -> None:
    out = expand_surnames("Kelce scored. Kelce smiled.", TEXTS)
    assert out == "Travis Kelce scored. Kelce smiled."
    assert expand_surnames("Travis Kelce scored.", TEXTS) == "Travis Kelce scored."
    assert expand_surnames("It is Bankman-Fried.", TEXTS) == "It is Sam Bankman-Fried."


def test_ambiguous_surnames_stay() -> None:
    texts = ["Coach Andy Reid spoke, and Britt Reid listened; then Ann Reid left."]
    assert expand_surnames("Reid spoke.", texts) == "Reid spoke."
