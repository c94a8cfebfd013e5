"""Articles in German, Spanish, Russian and Chinese: split into sentences, found by a
question in the same language, and cited with a sentence-sized quote (extractive, so
the test shows retrieval and citation, not a model's translation). The embedder is
English MiniLM: for these languages retrieval leans on the lexical index, and
sentence choice on word overlap (Chinese and Japanese by character pairs)."""

from __future__ import annotations

import json

import pytest

from ingest.pipeline import ingest
from ingest.sentences import split_sentences
from newsqa.settings import Settings
from rag.answer import Answerer
from rag.retrieve import Retriever
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

pytestmark = pytest.mark.slow

ARTICLES = {
    "de": (
        "Hafen wird modernisiert",
        "Die Stadt Hamburg investiert 300 Millionen Euro in den Hafen. Bürgermeister Peter "
        "Tschentscher sagte, die Arbeiten würden im Frühjahr beginnen. Die Reedereien "
        "begrüßten den Plan.",
        "Wie viel investiert Hamburg in den Hafen?",
        "300 Millionen Euro",
    ),
    "es": (
        "Huelga de transporte en Madrid",
        "Los conductores de autobús de Madrid iniciaron una huelga de tres días. El "
        "sindicato exige un aumento salarial del ocho por ciento. La empresa dijo que la "
        "oferta actual es definitiva.",
        "¿Qué exige el sindicato de conductores de autobús?",
        "aumento salarial",
    ),
    "ru": (
        "Новый мост в Казани",
        "В Казани открыли новый мост через реку Казанку. Строительство обошлось в 12 "
        "миллиардов рублей. Мэр города заявил, что мост сократит пробки.",
        "Сколько стоило строительство моста в Казани?",
        "12 миллиардов рублей",
    ),
    "zh": (
        "上海新地铁线路开通",
        "上海地铁十八号线今天正式开通运营。这条线路全长三十六公里。市政府表示，新线路将缓解交通压力。",
        "上海地铁十八号线全长多少公里？",
        "三十六公里",
    ),
}


@pytest.fixture(scope="module")
def answerer(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Answerer:
    home = tmp_path_factory.mktemp("multilingual")
    records = home / "articles.jsonl"
    rows = [{"id": lang, "title": t, "body": b} for lang, (t, b, _, _) in ARTICLES.items()]
    records.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    settings = Settings(home=home, llm="extractive")
    store = Store(settings, embedder)
    assert len(ingest([str(records)], store).added) == 4
    return Answerer(settings, llm=None, retriever=Retriever(store))


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_each_article_splits_into_its_sentences(lang: str) -> None:
    assert len(split_sentences(ARTICLES[lang][1])) == 3


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_a_question_in_the_language_gets_a_cited_sentence(answerer: Answerer, lang: str) -> None:
    _, body, question, fact = ARTICLES[lang]
    answer = answerer.answer(question)
    assert not answer.declined, answer.text
    assert answer.citations and answer.citations[0].article_id == lang
    # Each quote is one sentence of the article (not the whole chunk); the sentence
    # that holds the fact is among those the answer quotes or retrieval found.
    assert all(c.quote in split_sentences(body) for c in answer.citations)
    assert any(fact in p.text for p in answer.passages)
