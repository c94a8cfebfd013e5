"""The rule-based sentence splitter: abbreviations, quotes, newlines, exact offsets."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import DEV_ARTICLES

from ingest.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones in the U.S. on Jan. 5. They talked.",
            ["Mr. Smith met Dr. Jones in the U.S. on Jan. 5.", "They talked."],
        ),
        (
            "Mrs. Lee and Prof. Ito met Gen. Ruiz at 10 a.m. on Friday. It rained.",
            ["Mrs. Lee and Prof. Ito met Gen. Ruiz at 10 a.m. on Friday.", "It rained."],
        ),
        (
            "The U.K. and the U.N. agreed. Talks end.",
            ["The U.K. and the U.N. agreed.", "Talks end."],
        ),
        ("He met J. K. Rowling. She smiled.", ["He met J. K. Rowling.", "She smiled."]),
        (
            "Prices rose 3.5 percent. Analysts were surprised.",
            ["Prices rose 3.5 percent.", "Analysts were surprised."],
        ),
        ("It is ranked No. 1 in the world. Good.", ["It is ranked No. 1 in the world.", "Good."]),
        ("He said no. Then he left.", ["He said no.", "Then he left."]),
        ("He works at Acme Inc. The company grew.", ["He works at Acme Inc.", "The company grew."]),
        (
            "Apple Inc. Chief Executive Tim Cook spoke.",
            ["Apple Inc. Chief Executive Tim Cook spoke."],
        ),
        (
            "Troops left the U.S. In March they returned.",
            ["Troops left the U.S.", "In March they returned."],
        ),
        ("The U.S. Army said so. It was fine.", ["The U.S. Army said so.", "It was fine."]),
        (
            "Wait... What happened? Nobody knows! Really.",
            ["Wait...", "What happened?", "Nobody knows!", "Really."],
        ),
        ("Is it true?! Yes.", ["Is it true?!", "Yes."]),
        ("Visit example.com today. It is free.", ["Visit example.com today.", "It is free."]),
        ("She spoke (briefly.) Then left.", ["She spoke (briefly.)", "Then left."]),
    ],
)
def test_abbreviations_numbers_and_punctuation(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"We will do it immediately," the leader said. "It is over." Then silence.',
            ['"We will do it immediately," the leader said.', '"It is over."', "Then silence."],
        ),
        ("He said: “Stop.” She left.", ["He said: “Stop.”", "She left."]),
        ("She asked 'why?' He shrugged.", ["She asked 'why?'", "He shrugged."]),
        ("The vote was 5-4. 'Good,' he said.", ["The vote was 5-4.", "'Good,' he said."]),
        (
            "He said “hello.”\n\n“Goodbye,” she replied.",
            ["He said “hello.”", "“Goodbye,” she replied."],
        ),
    ],
)
def test_quotes_stay_with_their_sentence(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_lowercase_after_period_does_not_start_a_sentence() -> None:
    assert split_sentences("The rate was cut by 0.5 pct. in total, officials said.") == [
        "The rate was cut by 0.5 pct. in total, officials said."
    ]


def test_newlines_always_end_a_sentence_and_are_trimmed() -> None:
    text = "Headline without a period\n\n  First sentence. Second one\nThird line.\r\n"
    assert split_sentences(text) == [
        "Headline without a period",
        "First sentence.",
        "Second one",
        "Third line.",
    ]


def test_offsets_point_into_the_text_and_a_window_can_be_split() -> None:
    text = "Intro text. Mr. Brown arrived. He left at 5 p.m. on Monday. End."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Intro text.",
        "Mr. Brown arrived.",
        "He left at 5 p.m. on Monday.",
        "End.",
    ]
    start = text.index("Mr.")
    end = text.index(" End.")
    assert [text[a:b] for a, b in sentence_spans(text, start, end)] == [
        "Mr. Brown arrived.",
        "He left at 5 p.m. on Monday.",
    ]


def test_empty_and_blank_text() -> None:
    assert sentence_spans("") == []
    assert sentence_spans(" \n\t \n") == []
    assert split_sentences("no punctuation at all") == ["no punctuation at all"]


def _check_spans(text: str) -> None:
    spans = sentence_spans(text)
    previous_end = 0
    for a, b in spans:
        assert previous_end <= a < b <= len(text)
        piece = text[a:b]
        assert piece == piece.strip(), "sentences are trimmed"
        assert "\n" not in piece, "a line break always ends a sentence"
        assert text[previous_end:a].strip() == "", "nothing but whitespace between sentences"
        previous_end = b
    assert text[previous_end:].strip() == ""


def test_spans_cover_every_character_of_real_articles() -> None:
    with DEV_ARTICLES.open(encoding="utf-8") as lines:
        bodies = [json.loads(line)["body"] for line in lines]
    assert len(bodies) == 150
    for body in bodies:
        _check_spans(body)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab AB.!?\n\"'“”()…1")) | st.characters(), max_size=300)
)
def test_spans_cover_every_character_of_any_text(text: str) -> None:
    _check_spans(text)


def test_non_latin_scripts_split_into_sentences() -> None:
    from ingest.sentences import split_sentences

    assert split_sentences("Путин заявил о готовности. Киев отверг предложение! Что дальше?") == [
        "Путин заявил о готовности.",
        "Киев отверг предложение!",
        "Что дальше?",
    ]
    assert split_sentences("七国集团同意提供贷款。乌克兰表示欢迎！俄罗斯反对？") == [
        "七国集团同意提供贷款。",
        "乌克兰表示欢迎！",
        "俄罗斯反对？",
    ]
    assert split_sentences("Η Ελλάδα συμφώνησε. Ο πρωθυπουργός μίλησε.") == [
        "Η Ελλάδα συμφώνησε.",
        "Ο πρωθυπουργός μίλησε.",
    ]
    assert split_sentences("भारत ने घोषणा की। सरकार ने कहा।") == ["भारत ने घोषणा की।", "सरकार ने कहा।"]
    assert split_sentences("«Мы победим», — сказал он. «Он прав».") == ["«Мы победим», — сказал он.", "«Он прав»."]
    # lower case after a stop still continues the sentence, in any script
    assert split_sentences("Он сказал т. е. нет.") == ["Он сказал т. е. нет."]
