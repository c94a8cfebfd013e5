"""The answer pipeline's steps on ordinary questions, with a fake chat model over a real
store: no refusal from a guess, verdicts only with a quote, words only in the right
mouth, time relative to ``as_of``, follow-ups from earlier answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from newsqa.settings import Settings
from rag.answer import Answerer
from rag.retrieve import Retriever
from tests.rag.conftest import store_with
from tests.rag.test_answer import RecordingFake, _fake
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

pytestmark = pytest.mark.slow

ARTICLES = [
    {
        "id": "ferry-reuters",
        "title": "Ferry strike to end on Friday",
        "source": "Reuters",
        "published_at": "2023-11-14T09:00:00+00:00",
        "body": "The ferry strike that stranded islanders for three weeks is ending. "
        "Union leader Maria Costa said the strike would end on Friday after members "
        "accepted a new offer. The ferry company said it had offered a 5% raise and "
        "two extra rest days.",
    },
    {
        "id": "ferry-bbc",
        "title": "Ferry strike talks collapse",
        "source": "BBC News",
        "published_at": "2023-11-02T18:00:00+00:00",
        "body": "Talks between the ferry union and the ferry company broke down on "
        "Wednesday. The company said the union had demanded a 9% raise. Islanders "
        "said the ferry strike had left shops without fresh food.",
    },
    {
        "id": "trial-fortune",
        "title": "Bankman-Fried trial opens",
        "source": "Fortune",
        "published_at": "2023-10-04T12:00:00+00:00",
        "body": "Prosecutors opened their case against Sam Bankman-Fried on Wednesday. "
        "They argue that Bankman-Fried lied to investors and took $8 billion of customer "
        "money. His lawyers told the jury that he acted in good faith.",
    },
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Store:
    return store_with(tmp_path_factory.mktemp("steps"), embedder, ARTICLES)


def _answerer(store: Store, llm: object, off: set[str] | None = None) -> Answerer:
    settings = store.settings.with_(steps_off=frozenset(off or ()))
    return Answerer(settings, llm=llm, retriever=Retriever(store))  # type: ignore[arg-type]


def test_a_name_that_is_not_an_outlet_is_no_reason_to_refuse(store: Store) -> None:
    fake = _fake("Maria Costa said the strike would end on Friday.")
    a = _answerer(store, fake).answer("According to Podolyak, when does the ferry strike end?")
    assert not a.declined and a.citations and a.citations[0].article_id == "ferry-reuters"
    fake = _fake("Maria Costa said the strike would end on Friday.")
    b = _answerer(store, fake).answer("What did the Daily Planet report say on the ferry strike?")
    assert not b.declined and b.citations
    assert b.notes == ["No stored article comes from Daily Planet; other outlets are used."]


def test_an_uncited_verdict_is_declined_and_a_cited_one_shown(store: Store) -> None:
    asked = {"yesno_quotes"}  # the model is asked for a verdict (a stronger model)
    no = _answerer(store, _fake("No. China did not support the ferry union."), asked).answer(
        "Did China support the ferry union?"
    )
    assert no.declined and no.citations == [] and not no.text.startswith("No")
    yes = _answerer(
        store, _fake("Yes. Union leader Maria Costa said the strike would end on Friday."), asked
    ).answer("Is the ferry strike ending?")
    assert not yes.declined and yes.text.startswith("Yes") and yes.citations


def test_words_in_the_wrong_mouth_are_not_cited(store: Store) -> None:
    wrong = "The ferry company said the strike would end on Friday."
    a = _answerer(store, _fake(wrong)).answer("What did the ferry company say about the strike?")
    assert a.declined and a.citations == [] and a.unsupported == [wrong]
    loose = _answerer(store, _fake(wrong), off={"speaker_check"}).answer(
        "What did the ferry company say about the strike?"
    )
    assert loose.citations  # the step is what refuses it


def test_lawyers_are_not_given_the_prosecutors_claims(store: Store) -> None:
    fake = _fake("Bankman-Fried's lawyers argued that he lied to investors.")
    a = _answerer(store, fake).answer("What did Bankman-Fried's lawyers argue at his trial?")
    assert a.declined and not a.citations


def test_requests_are_not_yes_no_and_summaries_are_asked_for(store: Store) -> None:
    fake = _fake("On November 2, BBC News reported that ferry talks broke down.")
    a = _answerer(store, fake).answer("Can you summarise the ferry strike story?")
    assert a.kind == "summary" and not a.declined and not a.text.startswith("Yes")
    assert "Summarise in two to four sentences" in fake.prompts[-1]
    assert {"ferry-bbc", "ferry-reuters"} <= {p.article_id for p in a.passages}


def test_as_of_leaves_out_later_articles_and_latest_is_newest(store: Store) -> None:
    extractive = _answerer(store, None)
    early = extractive.answer("What's the latest on the ferry strike?", as_of="2023-11-05")
    assert "ferry-reuters" not in {p.article_id for p in early.passages}
    late = extractive.answer("What's the latest on the ferry strike?", as_of="2023-11-20")
    assert late.passages[0].article_id == "ferry-reuters"


def test_relative_periods_filter_and_empty_periods_are_noted(store: Store) -> None:
    extractive = _answerer(store, None)
    last_week = extractive.answer("What happened last week in the ferry strike?", as_of="2023-11-20")
    assert {p.article_id for p in last_week.passages} == {"ferry-reuters"}
    august = extractive.answer("What happened in the ferry strike in August?", as_of="2023-11-20")
    assert any("No stored article about this was published" in n for n in august.notes)
    assert august.passages  # answered from other dates, and says so


def test_follow_ups_resolve_names_from_earlier_answers(store: Store) -> None:
    history = [("Who leads the ferry union?", "Union leader Maria Costa [1].")]
    rewrite = RecordingFake(
        messages=iter([AIMessage(content="What did Maria Costa say about the strike?"),
                       AIMessage(content="Maria Costa said the strike would end on Friday.")]),
        prompts=[],
    )
    a = _answerer(store, rewrite).answer("What did she say about the strike?", history)
    assert "A: Union leader Maria Costa." in rewrite.prompts[0]
    assert a.standalone_question == "What did Maria Costa say about the strike?"
    assert not a.declined and a.citations
    # Without a model, the names of the last answer are added to the search.
    plain = _answerer(store, None).answer("What did she say about the strike?", history)
    assert "Maria Costa" in plain.standalone_question


def test_every_step_name_is_known(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no step nonsense"):
        store.settings.with_(steps_off=frozenset({"nonsense"}))


def test_yes_no_is_answered_with_the_quotes_that_settle_it(store: Store) -> None:
    # The local model says "Yes" to most questions whose answer is No: with
    # ``yesno_quotes`` the model is not asked; the settling quote is shown verbatim.
    fake = _fake("Yes, the ferry strike is ending.")
    a = _answerer(store, fake).answer("Is the ferry strike over?")
    assert fake.prompts == [] and not a.declined and not a.text.startswith("Yes")
    assert a.citations and a.citations[0].quote.rstrip(".") in a.text
    asked = _fake("Yes. Union leader Maria Costa said the strike would end on Friday.")
    b = _answerer(store, asked, off={"yesno_quotes"}).answer("Is the ferry strike over?")
    assert asked.prompts and b.text.startswith("Yes")


def test_a_yes_no_setting_reports_against_each_other_gets_the_models_verdict(store: Store) -> None:
    # Quotes alone do not compare two reports: the model is asked, and its verdict is
    # shown with the quotes of both.
    fake = _fake(
        "No. The BBC said the union had demanded a 9% raise, while Reuters said the "
        "ferry company had offered a 5% raise."
    )
    a = _answerer(store, fake).answer("Did the BBC and Reuters report the same raise for the ferry strike?")
    assert fake.prompts and a.text.startswith("No") and not a.declined
    assert {c.article_id for c in a.citations} == {"ferry-bbc", "ferry-reuters"}


def test_an_answer_naming_nothing_the_question_names_is_declined(store: Store) -> None:
    # Supported by its quote, but about something else: no answer to the question.
    off_topic = "The ferry company said it had offered a 5% raise."
    q = "What raise did Sam Bankman-Fried offer the ferry union?"
    a = _answerer(store, _fake(off_topic)).answer(q)
    assert "trial-fortune" in {p.article_id for p in a.passages}  # a name the store knows
    assert a.declined and not a.citations
    kept = _answerer(store, _fake(off_topic), off={"on_topic"}).answer(q)
    assert not kept.declined and kept.citations


def test_time_questions_get_today_newest_first_and_report_dates(store: Store) -> None:
    fake = _fake("Maria Costa said the strike would end on Friday.")
    a = _answerer(store, fake).answer("What's the latest on the ferry strike?", as_of="2023-11-20")
    prompt = fake.prompts[-1]
    assert "Today is 2023-11-20." in prompt and "newest first" in prompt
    assert prompt.index("2023-11-14") < prompt.index("2023-11-02")  # Reuters before BBC
    assert not a.declined and a.notes[-1].startswith("Reported: [1] Reuters, 2023-11-14")


def test_a_month_without_a_year_is_looked_for_in_earlier_years(store: Store) -> None:
    # Asked in December 2024, "in November" first means November 2024: nothing then,
    # so the November 2023 reports are searched and the prompt names that period.
    fake = _fake("Maria Costa said the strike would end on Friday.")
    a = _answerer(store, fake).answer(
        "What happened in the ferry strike in November?", as_of="2024-12-20"
    )
    assert not any("No stored article about this" in n for n in a.notes)
    assert {p.article_id for p in a.passages} <= {"ferry-reuters", "ferry-bbc"}
    assert "Reports from 2023-11-01 to 2023-11-30 are wanted." in fake.prompts[-1]


def test_steps_are_on_unless_switched_off() -> None:
    assert Settings().step("surname_expansion") and Settings().step("fact_check")
    assert not Settings(steps_off=frozenset({"surname_expansion"})).step("surname_expansion")
    assert Settings.from_env({"NEWSQA_STEPS_OFF": "none"}).step("surname_expansion")


LOAN = [
    {
        "id": "loan-reuters",
        "title": "G7 agrees loan for Ukraine",
        "source": "Reuters",
        "published_at": "2024-06-14T09:00:00+00:00",
        "body": "Leaders met in Italy on Thursday. The G7 agreed a €46 billion loan for "
        "Ukraine, backed by frozen Russian assets. The first money is due next year.",
    },
    {
        "id": "loan-kyiv",
        "title": "Ukraine welcomes G7 loan",
        "source": "Kyiv Independent",
        "published_at": "2024-06-13T18:00:00+00:00",
        "body": "Kyiv welcomed the decision. G7 leaders agreed a €50 billion loan for "
        "Ukraine, officials said. Repayment will come from Russian asset profits.",
    },
]


def test_reports_giving_different_values_are_set_side_by_side(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> None:
    loans = store_with(tmp_path_factory.mktemp("loans"), embedder, LOAN)
    said = "The G7 agreed a €46 billion loan for Ukraine."
    a = _answerer(loans, _fake(said)).answer("How big is the G7 loan for Ukraine?")
    assert not a.declined and {c.article_id for c in a.citations} == {"loan-reuters", "loan-kyiv"}
    note = next(n for n in a.notes if n.startswith("Reports differ:"))
    assert "Reuters (2024-06-14): €46 billion [1]" in note and "Kyiv Independent (2024-06-13)" in note
    quiet = _answerer(loans, _fake(said), off={"disagreements"}).answer("How big is the G7 loan for Ukraine?")
    assert not any(n.startswith("Reports differ:") for n in quiet.notes)
