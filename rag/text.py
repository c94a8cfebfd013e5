"""Text analysis shared by evidence selection and citation: sentences, terms, IDF,
the checkable facts of a sentence (names, numbers, dates) and who a sentence quotes.

One home for these, so the evidence the model reads and the check of what it wrote
measure text the same way.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ingest.sentences import sentence_spans
from rag.types import Passage
from vectorstore.lexical import query_terms

_WORD = re.compile(r"[\w'’-]++")
# "U.S.", "U.K.": written "US", "UK" in an answer.
_ABBREVIATION = re.compile(r"\b(?:[A-Za-z]\.){2,}+")
# A number as written in news: 46, 1,200, 2.5, 46bn, €46, 50% (the digits are compared).
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*+")
MONTHS = (
    "january february march april may june july august september october november december"
).split()
# Capitalised words that are not names: sentence openers, titles, days, months.
_NOT_NAMES = frozenset(
    """the a an and but or in on at of for from to by with as if when while after before
    he she it they we i you his her its their this that these those there here what who
    which how why where yes no also however meanwhile still yet so then now mr mrs ms dr
    monday tuesday wednesday thursday friday saturday sunday according is are was were
    am be been did does do has have had can could will would should shall may might must
    whose whom what's who's where's how's when's why's that's give tell show list
    summarise summarize explain recap""".split()
) | frozenset(MONTHS)
# Who says it: "<speaker> said", "said <speaker>", "according to <speaker>".
_SPEECH = (
    r"(?:said|says|say|told|tells|argued|argues|argue|claimed|claims|claim|stated|states|"
    r"wrote|writes|warned|warns|added|adds|noted|notes|insisted|insists|alleged|alleges|"
    r"accused|accuses|denied|denies|demanded|demands|demand|announced|announces|"
    r"testified|testifies|admitted|admits|believes|believed|thinks|thought|proposed|"
    r"proposes|promised|promises|responded|responds|reported|reports|urged|urges|"
    r"called|calls|criticized|criticised|slammed|rejected|rejects)"
)
_SPEAKER_BEFORE = re.compile(
    rf"(?:^|[,;:“”\"]\s*+)((?:[\w'’.-]++\s++){{0,5}}?[\w'’.-]++)\s++(?:has\s++|have\s++|had\s++)?"
    rf"{_SPEECH}\b",
    re.I,
)
# Inverted attribution ("..., said Podolyak"): only verbs of saying invert.
_SPEAKER_AFTER = re.compile(
    r"\b(?:said|says|added|adds|noted|notes|wrote|writes|according\s++to)\s++"
    r"([\w'’.-]++(?:\s++[A-Z][\w'’.-]*+){0,4})",
    re.I,
)
# Speakers that name no one: "the report says", "the article notes".
_GENERIC_SPEAKERS = frozenset(
    stem[:6]
    for stem in "report article story piece coverage outlet source news evidence text".split()
)
_PRONOUNS = frozenset(
    "he she they it we his her their its them the company firm group government "
    "officials prosecutors lawyers spokesperson spokesman spokeswoman statement".split()
)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a passage; ``start``/``end`` are offsets in the article body;
    ``before`` is the sentence preceding it in the passage (its speaker context)."""

    passage: Passage
    start: int
    end: int
    text: str
    before: str = ""


def stems(text: str) -> set[str]:
    """Content-word stems (first 6 letters) for fuzzy overlap between texts.

    >>> sorted(stems("The loans were approved"))
    ['approv', 'loans']
    """
    return {t[:6] for t in query_terms(text)}


def header_words(passage: Passage) -> str:
    """What identifies a passage's article: title, outlet and date in words.

    Answers name their sources ("The Verge reported on November 6 that ..."), and
    those words are in the article's metadata, not in its sentences.
    """
    words = [passage.title, passage.source or ""]
    if passage.day:
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(passage.day)
            words.append(f"{day:%B} {day.day} {day.year} {passage.day}")
    return " ".join(words)


def header_stems(passage: Passage) -> set[str]:
    """Stems of :func:`header_words`."""
    return stems(header_words(passage))


def passage_sentences(passages: Iterable[Passage]) -> list[Sentence]:
    """Every sentence of every passage, in passage order, each with the one before."""
    out = []
    for passage in passages:
        previous = passage.lead
        for a, b in sentence_spans(passage.text):
            text = passage.text[a:b]
            out.append(Sentence(passage, passage.start + a, passage.start + b, text, previous))
            previous = text
    return out


def idf(term_sets: Iterable[set[str]], terms: set[str] | None = None) -> dict[str, float]:
    """Inverse document frequency ``1 + ln((n + 1) / (df + 1))`` of every term in
    ``term_sets`` (or only of ``terms``), each set being one document.

    >>> weights = idf([{"loan", "g7"}, {"loan"}])
    >>> round(weights["g7"], 2), round(weights["loan"], 2)
    (1.41, 1.0)
    """
    sets = list(term_sets)
    df: dict[str, int] = dict.fromkeys(terms, 0) if terms is not None else {}
    for have in sets:
        for t in have if terms is None else have & terms:
            df[t] = df.get(t, 0) + 1
    n = len(sets)
    return {t: 1.0 + math.log((n + 1) / (d + 1)) for t, d in df.items()}


# -- facts a sentence states ------------------------------------------------------------


def numbers(text: str) -> set[str]:
    """Numbers in ``text``, normalised (thousands separators and trailing dots dropped).

    >>> sorted(numbers("It cost €46bn, up from 1,200 and 2.5%."))
    ['1200', '2.5', '46']
    """
    out = set()
    for match in _NUMBER.finditer(text):
        value = match.group().rstrip(".,").replace(",", "")
        if value:
            out.add(value)
    return out


def names(sentence: str) -> list[str]:
    """Capitalised words other than common openers, titles, days and months: the
    people, organisations, places and outlets a sentence names (its first word too:
    "China did not ..." names China).

    >>> names("The G7 agreed, said Ursula von der Leyen in Brussels.")
    ['G7', 'Ursula', 'Leyen', 'Brussels']
    """
    return [
        w
        for w in _WORD.findall(sentence)
        if w[0].isupper() and w.casefold().strip("'’") not in _NOT_NAMES
    ]


def shares_a_name(question: str, texts: Iterable[str], known: Iterable[str] = ()) -> bool:
    """Whether ``texts`` name anyone or anything ``question`` names that ``known`` (the
    retrieved passages) also names (True when there is none: a question's opening
    "Qué" or "Is" is no name): an answer about Rogers Communications does not answer
    "Who replaced Bill Kenwright as Everton chairman?".

    >>> known = ["Everton chairman Bill Kenwright died.", "Five Rogers directors left."]
    >>> shares_a_name("Who replaced Bill Kenwright at Everton?", ["Five Rogers left."], known)
    False
    >>> shares_a_name("What did Sean Dyche say?", ["Dyche said it was unjust."], ["Dyche"])
    True
    >>> shares_a_name("g7 loan?", ["Anything."], known)
    True
    """
    wanted = stems(" ".join(names(question))) & stems(" ".join(known))
    return not wanted or bool(wanted & stems(" ".join(texts)))


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def months(text: str) -> set[str]:
    """Month and weekday names in ``text`` (lower case): the dates a sentence states.

    >>> sorted(months("On Friday, 3 March"))
    ['friday', 'march']
    """
    return {
        w for w in (t.casefold() for t in _WORD.findall(text)) if w in MONTHS or w in _DAYS
    }


def missing_facts(sentence: str, support: str) -> list[str]:
    """The names, numbers and months ``sentence`` states that ``support`` (a quote, its
    context and its article's header) does not: a sentence citing that quote would
    say more than the quote does.

    >>> missing_facts("The Verge said the fee rose to $46 in June.",
    ...               "Fees rose to $46, the company said. | Apple | June 3 2023")
    ['Verge']
    >>> missing_facts("China did not support the plan.", "Russia proposed a plan.")
    ['China']
    >>> missing_facts("The US team hired her.", "She will coach the U.S. team.")
    []
    """
    have_stems = stems(support) | {w.casefold() for w in _WORD.findall(support)}
    have_stems |= {a.replace(".", "").casefold() for a in _ABBREVIATION.findall(support)}
    missing = [
        n
        for n in dict.fromkeys(names(sentence))
        if not (stems(n) - {"s"}) <= have_stems and n.casefold() not in have_stems
    ]
    missing += sorted(numbers(sentence) - numbers(support))
    missing += sorted(months(sentence) - months(support))
    return missing


# -- yes or no -------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|none|neither|nor|without|nothing|nobody|yet\sto)\b|n[’']t\b",
    re.I,
)
_LEADING_VERDICT = re.compile(r"^\W*+(yes|no)\b[\s,.:;!-]*+", re.I)


def leading_verdict(text: str) -> tuple[str, int] | None:
    """The "Yes"/"No" an answer opens with, and where the rest of it starts.

    >>> leading_verdict("No, he stayed."), leading_verdict("Nobody knows.")
    (('No', 4), None)
    """
    match = _LEADING_VERDICT.match(text)
    return (match.group(1).capitalize(), match.end()) if match else None


def verdict_fits(question: str, verdict: str, explanation: str) -> bool:
    """Whether a Yes/No agrees with the answer's own explanation: an explanation that
    negates what the question asks ("... it cannot be deployed" for "can it ship?")
    means No, one that does not means Yes. Without an explanation, it fits.

    >>> verdict_fits("Can it still ship?", "Yes", "Yes, it cannot ship it.")
    False
    >>> verdict_fits("Did he resign?", "No", "No, he did not resign.")
    True
    >>> verdict_fits("Did he resign?", "Yes", "Yes, he resigned on Monday.")
    True
    """
    opening = leading_verdict(explanation)
    body = explanation[opening[1] :] if opening else explanation
    if not stems(body):
        return True
    implied = bool(_NEGATION.search(question)) == bool(_NEGATION.search(body))
    return (verdict == "Yes") == implied


# -- who is speaking --------------------------------------------------------------------


# Someone's words: quotation marks or a verb of saying.
_QUOTE_MARKS = re.compile(r"[\"“”«»]")
_SPOKEN = re.compile(rf"{_QUOTE_MARKS.pattern}|\b{_SPEECH}\b", re.I)


def claimed_speaker(sentence: str) -> str | None:
    """Who a sentence says said something ("X said ...", "according to X, ...",
    '"...," said X', '"...," he said').

    >>> claimed_speaker("Sam Bankman-Fried's lawyers argued that he was careless.")
    "Sam Bankman-Fried's lawyers"
    >>> claimed_speaker("According to Reuters, the loan is €46 billion.")
    'Reuters'
    >>> claimed_speaker("“We will win,” said Mayor Ana Lopez."), claimed_speaker("“No,” he said.")
    ('Mayor Ana Lopez', 'he')
    >>> claimed_speaker("The loan is €46 billion.") is None
    True
    """
    after = _SPEAKER_AFTER.search(sentence)
    if after and after.group(0).lower().startswith("according"):
        return after.group(1).strip(" .,")
    before = _SPEAKER_BEFORE.search(sentence)
    if before:
        return before.group(1).strip()
    if after and sentence[: after.start()].rstrip().endswith((",", "”", '"', "’", "'")):
        return after.group(1).strip(" .,")  # inverted: '"...," said Mayor Ana Lopez'
    return None


def named_speaker(quote: Sentence) -> str | None:
    """Who ``quote``'s own attribution names ("..., said Mykhailo Podolyak"), if anyone."""
    for pattern in (_SPEAKER_AFTER, _SPEAKER_BEFORE):
        for match in pattern.finditer(quote.text):
            who = match.group(1).strip()
            if who.split()[-1].casefold() not in _PRONOUNS and names(". " + who):
                return who
    return None


def speaker_context(quote: Sentence) -> str:
    """Text that says who speaks in ``quote``: its own attribution when it names
    someone, else the quote with the sentence before (whose subject "they" or "the
    company" refers to) and its article's title (an article about one person quotes
    "he").
    """
    return named_speaker(quote) or f"{quote.before} {quote.text} {quote.passage.title}"


def speaker_matches(sentence: str, quote: Sentence) -> bool:
    """Whether the speaker ``sentence`` names is the one ``quote`` quotes (True when the
    sentence names no speaker). The claimed speaker's head word must be in the quote's
    speaker context or its outlet's name (an outlet "says" its report); the title only
    when the quote names no speaker of its own: a quote of Jason's in an article
    headlined "Travis Kelce says ..." is not Travis's. A sentence quoting words needs
    a quote of someone's words.

    >>> from rag.types import Passage
    >>> p = Passage("c", "a", "", "T", "Fortune", None, None, 0, 0)
    >>> q = Sentence(p, 0, 0, "They argue that Bankman-Fried lied.", "Prosecutors opened the case.")
    >>> speaker_matches("Bankman-Fried's lawyers argued that he lied.", q)
    False
    >>> speaker_matches("Prosecutors argued that Bankman-Fried lied.", q)
    True
    >>> speaker_matches('Siya Kolisi said he was "shown a yellow card".', Sentence(p, 0, 0,
    ...     "Siya Kolisi was later shown a yellow card.", "Sam Cane watched."))
    False
    >>> kelce = Passage("c", "a", "", "Travis Kelce says it is too much", None, None, None, 0, 0)
    >>> speaker_matches("Travis Kelce said: take it away.",
    ...                 Sentence(kelce, 0, 0, "“Take it away,” Jason added.", ""))
    False
    """
    claimed = claimed_speaker(sentence)
    if not claimed:
        return True
    words = [t[:6] for t in query_terms(claimed) if t != "s"]
    if not words or set(words) <= _GENERIC_SPEAKERS:
        return True
    outlet = stems(quote.passage.source or "")
    quoted = _QUOTE_MARKS.search(sentence) and words[-1] not in outlet
    if quoted and not _SPOKEN.search(f"{quote.before} {quote.text}"):
        return False  # 'X said "..."' needs someone's words, not a report about X
    context = stems(speaker_context(quote)) | outlet
    # The head word decides ("lawyers" in "Bankman-Fried's lawyers", "Zhao" in
    # "Changpeng Zhao", whose quote may say only "Zhao said").
    return words[-1] in context
