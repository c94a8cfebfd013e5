"""``answer()``, ``stream_answer()`` and the LangChain Runnable behind them.

The answer pipeline, each step named and switchable (``newsqa.settings.STEP_NAMES``,
``NEWSQA_STEPS_OFF``) so its effect can be measured with ``newsqa eval --off``:

    understand   follow-up rewritten with earlier questions and answers; the question's
                 kind (rag.understand) and period (rag.when, relative to ``as_of``)
    retrieve     hybrid search within the period and the outlets named; newest first
                 for "the latest on ..."; notes on outlets or periods with no articles
    gate         decline without calling the model when nothing is about the question
    evidence     the sentences the model reads, with their speakers, sized by kind
    generate     the model's answer (streamed), with the instruction for the kind
    verify+cite  every sentence checked against a quote (facts, speaker); unsupported
                 sentences dropped; a Yes/No nothing supports is declined
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableConfig

from ingest.sentences import sentence_spans
from newsqa.settings import Settings
from rag.chain import AnswerChain
from rag.cite import Checks, citation_for, cite, strip_markers
from rag.conflicts import describe, find_conflicts
from rag.evidence import budget_for, scored_sentences, select_evidence
from rag.llm import chat_model
from rag.names import expand_surnames, full_names
from rag.prompt import ANSWER_PROMPT, CONDENSE_PROMPT, answer_inputs, condense_inputs, is_decline
from rag.query import check_question
from rag.retrieve import MIN_SIMILARITY, Retriever, SearchOptions, retriever_for
from rag.retriever import NewsRetriever
from rag.text import (
    Sentence,
    header_words,
    leading_verdict,
    names,
    shares_a_name,
    stems,
    verdict_fits,
)
from rag.types import DECLINE_TEXT, Answer, Citation, Filters, Passage, Retrieval
from rag.understand import QuestionKind, classify
from rag.when import TimeScope, time_scope

log = logging.getLogger(__name__)

EXTRACTIVE_SENTENCES = 2
EXTRACTIVE_RELATIVE = 0.6
SUMMARY_ARTICLES = 4
# Articles that must give a surname's full name before an answer's surname is expanded.
NAMED_IN_ARTICLES = 2
# Longest answer of a summary, in tokens (others: settings.max_tokens).
SUMMARY_MAX_TOKENS = 200
_FOLLOW_UP = re.compile(
    r"^(?:and|but|also|so|what\s++about|how\s++about|then|what\s++else|anything\s++else)\b"
    r"|\b(?:it|its|they|them|their|he|him|his|she|her|this|that|these|those|there|"
    r"the\s++same|next|earlier|later|again)\b",
    re.I,
)

History = Sequence[Any]
Event = str | Retrieval | Answer
AsOf = date | datetime | str | None


@dataclass
class _Turn:
    """One question on its way through the pipeline."""

    question: str
    standalone: str
    kind: QuestionKind
    scope: TimeScope
    as_of: AsOf = None
    passages: list[Passage] = field(default_factory=list)
    evidence: list[Sentence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


def previous_turns(history: History | None) -> list[tuple[str, str]]:
    """Earlier (question, answer) pairs of a chat.

    Accepts ``[(user, bot), ...]`` pairs, ``[{"role": "user"|"assistant", "content":
    ...}, ...]`` messages (Gradio's and OpenAI's format) or plain question strings.

    >>> previous_turns([{"role": "user", "content": "Who?"},
    ...                 {"role": "assistant", "content": "Altman [1]."}, "And then?"])
    [('Who?', 'Altman.'), ('And then?', '')]
    """
    out: list[tuple[str, str]] = []
    for item in history or []:
        if isinstance(item, dict):
            content = item.get("content")
            if not isinstance(content, str):
                continue
            if item.get("role") == "user":
                out.append((content, ""))
            elif item.get("role") == "assistant" and out and not out[-1][1]:
                out[-1] = (out[-1][0], strip_markers(content))
        elif isinstance(item, list | tuple) and item:
            answer = str(item[1]) if len(item) > 1 and item[1] is not None else ""
            out.append((str(item[0]), strip_markers(answer)))
        elif isinstance(item, str):
            out.append((item, ""))
    return out


def previous_questions(history: History | None) -> list[str]:
    """The user's earlier questions from a chat history (see :func:`previous_turns`)."""
    return [q for q, _ in previous_turns(history)]


class Answerer:
    """Answers questions from one store with one backend; reusable across questions.

    Example:
        >>> a = Answerer(Settings.from_env(llm="extractive"))     # doctest: +SKIP
        >>> a.answer("How large is the G7 loan?").citations[0].quote  # doctest: +SKIP
    """

    def __init__(
        self,
        settings: Settings,
        llm: BaseChatModel | str | None = "auto",
        retriever: Retriever | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever or retriever_for(settings)
        self.news = NewsRetriever(
            retriever=self.retriever, options=SearchOptions.from_settings(settings)
        )
        self.chain = AnswerChain(self)
        self._llm_choice = llm
        self._llm: BaseChatModel | None = None
        self._llm_ready = False
        self._lock = threading.Lock()

    @property
    def llm(self) -> BaseChatModel | None:
        """The chat model in use (``None`` = extractive); created on first use."""
        with self._lock:
            if not self._llm_ready:
                self._llm = (
                    chat_model(self.settings) if self._llm_choice == "auto" else self._llm_choice  # type: ignore[assignment]
                )
                self._llm_ready = True
            return self._llm

    @property
    def backend(self) -> str:
        """Name of the backend answering."""
        if self._llm_choice == "auto":
            return self.settings.llm
        return "extractive" if self._llm_choice is None else type(self._llm_choice).__name__

    def on(self, step: str) -> bool:
        """Whether pipeline step ``step`` is switched on."""
        return self.settings.step(step)

    # -- steps ------------------------------------------------------------------------

    def standalone(self, question: str, history: History | None) -> str:
        """``question`` rewritten to stand alone when it follows up on ``history``:
        "What did he say next?" names who "he" is, also when only an earlier answer
        named him."""
        earlier = previous_turns(history)
        if not earlier or not _FOLLOW_UP.search(question):
            return question
        llm = self.llm if self.on("followup_rewrite") else None
        if llm is not None:
            try:
                rewrite = (CONDENSE_PROMPT | llm | StrOutputParser()).with_config(
                    run_name="rewrite_follow_up"
                )
                rewritten = rewrite.invoke(condense_inputs(earlier, question))
                rewritten = (
                    rewritten.strip().strip('"').splitlines()[0] if rewritten.strip() else ""
                )
                if 8 <= len(rewritten) <= 300:
                    return rewritten
            except Exception as exc:  # a failed rewrite must not fail the answer
                log.warning("could not rewrite the follow-up question: %s", exc)
        last_question, last_answer = earlier[-1]
        named = " ".join(dict.fromkeys(names(last_answer)))
        return " ".join(x for x in (question, last_question, named) if x)

    def understand(self, question: str, history: History | None, as_of: AsOf) -> _Turn:
        """Step 1: the question checked, made standalone, classified and dated."""
        question = check_question(question)
        started = time.perf_counter()
        standalone = self.standalone(question, history)
        scope = time_scope(standalone, as_of)
        turn = _Turn(question, standalone, classify(standalone), scope, as_of, started=started)
        turn.timings["rewrite_s"] = time.perf_counter() - started
        return turn

    def retrieve(
        self, turn: _Turn, k: int | None = None, where: Filters | dict[str, Any] | None = None
    ) -> _Turn:
        """Step 2: passages within the period and outlets the question names."""
        began = time.perf_counter()
        filters = Filters.coerce(where) or Filters()
        found = self.news.search(
            turn.standalone,
            k=k or self.settings.top_k,
            sources=filters.sources,
            after=filters.after,
            before=filters.before,
            as_of=turn.as_of,
        )
        turn.passages = found.passages
        turn.notes += found.notes
        if found.scope is not None:  # the period searched ("in June": maybe last year's)
            turn.scope = found.scope
        missing = [
            name
            for name in found.plan.unknown_outlets
            if not any(name.casefold() in p.text.casefold() for p in found.passages)
        ]
        if missing:  # a name no article mentions and no outlet has: say so, answer anyway
            names_ = " or ".join(missing)
            turn.notes.append(f"No stored article comes from {names_}; other outlets are used.")
        speaker = turn.kind.speaker
        if speaker and found.passages and not any(m in speaker for m in missing):
            head = stems(speaker.split()[-1])
            if not any(head <= stems(f"{p.text} {p.source or ''}") for p in found.passages):
                turn.notes.append(f"No stored article quotes {speaker}; other reports are used.")
        turn.timings["retrieval_s"] = time.perf_counter() - began
        return turn

    @staticmethod
    def relevant(passages: list[Passage]) -> bool:
        """Whether retrieval found anything about the question at all."""
        return bool(passages) and max(p.similarity for p in passages) >= MIN_SIMILARITY

    def choose_evidence(self, turn: _Turn) -> _Turn:
        """Steps 3-4: decline early when nothing is relevant; else the evidence."""
        if self.on("relevance_gate") and not self.relevant(turn.passages):
            return turn
        budget = budget_for(self.kind_of(turn))
        turn.evidence = select_evidence(
            turn.standalone,
            turn.passages,
            budget.chars,
            budget.min_articles,
            budget.by_date,
            context=self.on("speaker_context"),
            speaker=turn.kind.speaker if self.on("speaker_context") else None,
        )
        return turn

    def prepare(
        self,
        question: str,
        history: History | None = None,
        k: int | None = None,
        where: Filters | dict[str, Any] | None = None,
        as_of: AsOf = None,
    ) -> _Turn:
        """Understand, retrieve and choose evidence; the model is not called yet.

        Raises :class:`rag.query.QuestionError` for an empty, over-long or binary
        question (every entry point, the chain included, comes through here).
        """
        turn = self.understand(question, history, as_of)
        return self.choose_evidence(self.retrieve(turn, k, where))

    def kind_of(self, turn: _Turn) -> str:
        """The kind that sizes the evidence and picks the prompt: the question's kind,
        ``latest`` for a summary of the newest reports, ``factoid`` when switched off."""
        kind = turn.kind.kind if self.on("kind_prompts") else "factoid"
        if kind == "yesno" and not self.on("verdict_prompt"):
            return "factoid"
        if kind == "summary" and turn.scope.recency and self.on("recency"):
            return "latest"
        return kind

    def generate(self, turn: _Turn, config: RunnableConfig | None = None) -> Iterator[str]:
        """Step 5: stream the answer text for a prepared turn (no citations yet)."""
        if not turn.evidence:
            yield DECLINE_TEXT
            return
        llm = self.llm
        if llm is None or (
            turn.kind.is_yes_no and not turn.kind.compares and self.on("yesno_quotes")
        ):
            # A small model's Yes/No on one fact is unreliable (the local 1.5B one said
            # "Yes" to most dev questions whose answer was No): the quotes that settle
            # it, verbatim. Reports set against each other need the model to compare.
            yield extractive_text(turn.standalone, turn.passages, turn.kind.kind)
            return
        model: Any = llm
        if self.kind_of(turn) in ("summary", "latest"):
            model = llm.bind(max_tokens=max(self.settings.max_tokens, SUMMARY_MAX_TOKENS))
        kind = self.kind_of(turn)
        inputs = answer_inputs(
            turn.standalone,
            turn.evidence,
            kind,
            turn.kind.speaker,
            turn.scope.describe(),
            today=turn.scope.as_of.isoformat() if turn.scope.timely else "",
            newest_first=turn.scope.recency and self.on("recency"),
        )
        generate = (ANSWER_PROMPT | model | StrOutputParser()).with_config(run_name="generate")
        for piece in generate.stream(inputs, config):
            if piece and "first_token_s" not in turn.timings:
                turn.timings["first_token_s"] = time.perf_counter() - turn.started
            yield piece

    def finish(self, turn: _Turn, text: str, fallback_reason: str | None = None) -> Answer:
        """Step 6: verify every sentence against a quote, cite it, or decline."""
        turn.timings["total_s"] = time.perf_counter() - turn.started
        backend = "extractive" if fallback_reason else self.backend
        common: dict[str, Any] = dict(
            question=turn.question,
            passages=turn.passages,
            standalone_question=turn.standalone,
            backend=backend,
            fallback_reason=fallback_reason,
            timings=turn.timings,
            notes=turn.notes,
            kind=turn.kind.kind,
        )
        if not turn.evidence or is_decline(text):
            return self.declined(common)
        # A quote naming "Zhao" supports "Changpeng Zhao" when the passages give that
        # one full name; rewriting the answer's surnames is a step of its own.
        texts = [p.text for p in turn.passages]
        full = full_names(texts)
        if self.on("surname_expansion"):
            articles: dict[str, str] = {}
            for p in turn.passages:
                articles[p.article_id] = f"{articles.get(p.article_id, '')}\n{p.text}"
            text = expand_surnames(text, articles.values(), min_texts=NAMED_IN_ARTICLES)
        checks = Checks(
            facts=self.on("fact_check"),
            speaker=self.on("speaker_check"),
            clauses=self.on("clause_citations"),
            premises=self.on("question_premises"),
            unsupported="drop" if self.on("drop_unsupported") else "mark",
            full_names=full,
            embed=self.retriever.store.embedder.embed_documents
            if self.on("meaning_check")
            else None,
        )
        if turn.kind.is_yes_no and not turn.kind.compares and self.on("verdict_needs_quote"):
            # (A comparison's reason describes both reports: no negation to read.)
            text = _doubtful_verdict_dropped(turn.question, text)
        quotable = [e for e in turn.evidence if e.start >= e.passage.start]  # not leads
        cited = cite(text, turn.passages, quotable, checks, turn.standalone)
        unverified = (cited.unverified_verdict or cited.verdict_dropped) and self.on(
            "verdict_needs_quote"
        )
        nothing = not cited.supported and checks.unsupported == "drop"
        if not cited.text.strip(" .") or unverified or nothing:
            return self.declined(common, cited.dropped)
        shown = [cited.text, *(_cited_words(c) for c in cited.citations)]
        known = [f"{header_words(p)} {p.text}" for p in turn.passages]  # outlets too
        if self.on("on_topic") and not shares_a_name(turn.standalone, shown, known):
            return self.declined(common, [cited.text])
        if turn.scope.timely:  # say when the cited reports came out
            common["notes"] = [*turn.notes, report_dates(cited.citations)]
        citations = cited.citations
        if self.on("disagreements"):
            differ, more = disagreements(turn.standalone, turn.evidence, citations)
            common["notes"], citations = [*common["notes"], *differ], [*citations, *more]
        return Answer(text=cited.text, citations=citations, unsupported=cited.dropped, **common)

    @staticmethod
    def declined(common: dict[str, Any], unsupported: list[str] | None = None) -> Answer:
        """The decline answer, with the turn's notes."""
        text = " ".join([DECLINE_TEXT, *common["notes"]])
        return Answer(text=text, declined=True, unsupported=unsupported or [], **common)

    # -- public -----------------------------------------------------------------------

    def fallback(self, turn: _Turn, error: Exception, partial: bool) -> tuple[str, str] | None:
        """When a remote model fails mid-answer: the reason and an extractive answer.

        A model server that is down, slow or breaks off (a stall, a garbled stream) must
        not leave the user empty-handed; a local model's failure is a bug: ``None``.
        """
        if self.settings.llm != "openai":
            return None
        what = "stopped mid-answer" if partial else "did not answer"
        reason = f"the model server {what} ({type(error).__name__}: {error})"
        log.warning("%s; answering extractively", reason)
        return reason, extractive_text(turn.standalone, turn.passages, turn.kind.kind)

    # -- public -----------------------------------------------------------------------

    def stream(
        self,
        question: str,
        history: History | None = None,
        k: int | None = None,
        where: Filters | dict[str, Any] | None = None,
        as_of: AsOf = None,
        config: RunnableConfig | None = None,
    ) -> Iterator[Event]:
        """Yield a :class:`Retrieval`, then text pieces, then the final :class:`Answer`
        (the :attr:`chain`, streamed)."""
        inputs = {"question": question, "history": history, "k": k, "where": where}
        yield from self.chain.stream({**inputs, "as_of": as_of}, config)

    def answer(
        self,
        question: str,
        history: History | None = None,
        k: int | None = None,
        where: Filters | dict[str, Any] | None = None,
        as_of: AsOf = None,
        config: RunnableConfig | None = None,
    ) -> Answer:
        """The complete :class:`Answer` (see :meth:`stream`)."""
        inputs = {"question": question, "history": history, "k": k, "where": where}
        return self.chain.invoke({**inputs, "as_of": as_of}, config)


def report_dates(citations: Sequence[Citation]) -> str:
    """The note giving each cited report's outlet and date.

    >>> report_dates([Citation(1, "a", "T", "The Age", None, "2023-12-09T10:00", "q", "c", 0, 1)])
    'Reported: [1] The Age, 2023-12-09.'
    """
    return "Reported: " + "; ".join(
        f"[{c.n}] {c.source or c.title}, {(c.published_at or 'undated')[:10]}" for c in citations
    ) + "."


def disagreements(
    question: str, evidence: Sequence[Sentence], citations: Sequence[Citation]
) -> tuple[list[str], list[Citation]]:
    """The note setting side by side the values the evidence's reports disagree on
    (:mod:`rag.conflicts`), and citations for the reports the answer does not cite yet,
    numbered after ``citations``, so each side is shown with its quote; nothing when
    they agree.

    >>> p = Passage("r", "r", "The G7 agreed a €46bn loan.", "T", "Reuters", None,
    ...             "2024-06-14", 0, 27)
    >>> q = Passage("k", "k", "The G7 agreed a €50bn loan.", "T", "Kyiv Independent",
    ...             None, "2024-06-13", 0, 27)
    >>> notes, more = disagreements("How big is the G7 loan?",
    ...                             [Sentence(x, 0, 27, x.text) for x in (p, q)], [])
    >>> notes
    ['Reports differ: Kyiv Independent (2024-06-13): €50bn [1]; Reuters (2024-06-14): €46bn [2].']
    >>> [(c.n, c.source) for c in more]
    [(1, 'Kyiv Independent'), (2, 'Reuters')]
    """
    conflicts = find_conflicts(question, evidence)
    if not conflicts:
        return [], []
    numbers: dict[tuple[str, int], int] = {}
    extra: list[Citation] = []
    for conflict in conflicts:
        for s, _ in conflict.items:
            cited = next(
                (
                    c.n
                    for c in citations
                    if c.article_id == s.passage.article_id and c.start < s.end and s.start < c.end
                ),
                None,
            )
            key = (s.passage.article_id, s.start)
            if cited is None and key not in numbers:
                cited = len(citations) + len(extra) + 1
                extra.append(citation_for(cited, s))
            if cited is not None:
                numbers.setdefault(key, cited)
    note = describe(conflicts, lambda s: numbers.get((s.passage.article_id, s.start)))
    return [note], extra


def _cited_words(c: Citation) -> str:
    """What a citation shows: its quote, the sentence before, title and outlet."""
    return f"{c.quote} {c.context} {c.title} {c.source or ''}"


def _doubtful_verdict_dropped(question: str, text: str) -> str:
    """``text`` without its opening Yes/No when its own explanation says the opposite
    ("Yes, ... it cannot be deployed"): a verdict is shown only when it is backed."""
    spans = sentence_spans(text)
    first = next((text[a:b] for a, b in spans if stems(text[a:b]) - {"yes", "no"}), "")
    opening = leading_verdict(text)
    if opening is None or verdict_fits(question, opening[0], first):
        return text
    rest = text[opening[1] :]
    return rest[:1].upper() + rest[1:] if first else text


def extractive_text(question: str, passages: list[Passage], kind: str = "factoid") -> str:
    """The best supporting sentences, verbatim (no model): for a summary, the best
    sentence of up to :data:`SUMMARY_ARTICLES` articles in date order; else the best
    one or two, in reading order."""
    ranked = scored_sentences(question, passages)
    if not ranked or ranked[0][1] <= 0:
        return DECLINE_TEXT
    if kind == "summary":
        per_article: dict[str, Sentence] = {}
        for s, score in ranked:
            if score > 0:
                per_article.setdefault(s.passage.article_id, s)
        best = list(per_article.values())[:SUMMARY_ARTICLES]
        best.sort(key=lambda s: (s.passage.published_at or "", s.start))
        return " ".join(s.text for s in best)
    top = ranked[:EXTRACTIVE_SENTENCES]
    # A second sentence only when it is nearly as relevant as the best one.
    chosen = [s for s, score in top if score >= EXTRACTIVE_RELATIVE * top[0][1]]
    lead = chosen[0].passage.chunk_id
    chosen.sort(key=lambda s: (s.passage.chunk_id != lead, s.start))
    return " ".join(s.text for s in chosen)


_answerers: dict[Settings, Answerer] = {}
_answerers_lock = threading.Lock()


def _answerer(settings: Settings | None, llm: BaseChatModel | str | None) -> Answerer:
    settings = settings or Settings.from_env()
    if llm in ("local", "openai", "extractive"):
        settings, llm = settings.with_(llm=llm), "auto"
    elif isinstance(llm, str) and ":" in llm:  # "provider:model"
        from langchain.chat_models import init_chat_model

        llm = init_chat_model(llm)
    if llm != "auto":
        return Answerer(settings, llm)
    with _answerers_lock:
        if settings not in _answerers:
            _answerers[settings] = Answerer(settings)
        return _answerers[settings]


def answerer_for(settings: Settings) -> Answerer:
    """The shared :class:`Answerer` for ``settings`` (created on first use: loading the
    embedder and model takes seconds), as ``answer()`` uses it.

    Example:
        >>> answerer_for(Settings.from_env()).answer("Who won?")   # doctest: +SKIP
    """
    return _answerer(settings, "auto")


def answer(
    question: str,
    history: History | None = None,
    *,
    settings: Settings | None = None,
    llm: BaseChatModel | str | None = "auto",
    k: int | None = None,
    where: Filters | dict[str, Any] | None = None,
    as_of: AsOf = None,
) -> Answer:
    """Answer ``question`` from the ingested articles, with citations.

    ``llm`` is a backend name (``local``, ``openai``, ``extractive``), a LangChain chat
    model, or ``"auto"`` (``settings.llm``). ``where`` narrows retrieval (see
    :class:`rag.types.Filters`). ``as_of`` (a date, datetime or ISO 8601 text; default
    today) is the day the question is asked: "last week" counts from it and later
    articles are left out.

    Example:
        >>> from rag import answer
        >>> a = answer("How large is the G7 loan package for Ukraine?")  # doctest: +SKIP
        >>> a.text                                                     # doctest: +SKIP
        'The G7 agreed a €46 billion loan package for Ukraine [1].'
        >>> answer("What happened last week?", as_of="2024-06-20").notes  # doctest: +SKIP
    """
    check_question(question)  # before any store or model is opened
    return _answerer(settings, llm).answer(question, history, k, where, as_of)


def stream_answer(
    question: str,
    history: History | None = None,
    *,
    settings: Settings | None = None,
    llm: BaseChatModel | str | None = "auto",
    k: int | None = None,
    where: Filters | dict[str, Any] | None = None,
    as_of: AsOf = None,
) -> Iterator[Event]:
    """Like :func:`answer`, streaming: a :class:`Retrieval` (the sources, before the
    model starts), then text pieces as they are generated, then the :class:`Answer`.

    Example:
        >>> for event in stream_answer("Who rejected Putin's offer?"):  # doctest: +SKIP
        ...     if isinstance(event, str):
        ...         print(event, end="")
    """
    check_question(question)  # now, not when the first event is asked for
    return _answerer(settings, llm).stream(question, history, k, where, as_of)


def answer_chain(
    settings: Settings | None = None, llm: BaseChatModel | str | None = "auto"
) -> Runnable[Any, Answer]:
    """The answer pipeline as a LangChain Runnable (see :mod:`rag.chain`): ``str |
    {"question", "history", "where", "k", "as_of"} -> Answer``; ``stream`` yields the
    retrieval, text pieces and the answer; a named child run per step.

    ``llm`` is a backend name, a LangChain chat model, or a ``provider:model`` string
    for ``langchain.chat_models.init_chat_model`` (e.g. ``openai:gpt-4o-mini``, when
    that provider's package is installed).

    Example:
        >>> chain = answer_chain()                                       # doctest: +SKIP
        >>> chain.invoke({"question": "Who slammed Putin's offer?"}).citations  # doctest: +SKIP
        >>> chain.batch(["q1", "q2"])                                    # doctest: +SKIP
    """
    return _answerer(settings, llm).chain
