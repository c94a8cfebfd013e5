"""Read a news question for what it names: outlets, dates, and its separate parts.

News questions say where and when ("the report from The Verge published on October
30, 2023, stating ..., and the TechCrunch article ..."). Articles carry outlet and
date as metadata, so each part of the question is searched within its own outlet
and day, and a multi-part question gathers evidence for every part. An outlet the
question relies on that no ingested article comes from means the articles cannot
answer it.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from rag.outlets import find_outlets, outlet_key, outlet_names, same_outlet
from vectorstore.lexical import query_terms

# The longest question answered: plenty for a multi-part news question (the longest
# MultiHop-RAG question is under 600 characters), and it bounds the work every step
# (rewrite, retrieval, prompt) does per question.
MAX_QUESTION_CHARS = 2000
# Characters no typed question holds: C0/C1 controls but tab and line breaks,
# surrogates, and the non-characters U+FFFE/U+FFFF (binary data pasted or piped in).
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class QuestionError(ValueError):
    """A question that cannot be answered as asked; the message says how to fix it."""


def check_question(text: str) -> str:
    """``text`` stripped, if it is a question that can be asked; else :class:`QuestionError`.

    A question must hold something besides whitespace, be at most
    :data:`MAX_QUESTION_CHARS` characters long and be plain text (no control
    characters or binary data).

    >>> check_question("  Who won the match?\\n")
    'Who won the match?'
    >>> check_question("x" * 2001)
    Traceback (most recent call last):
    rag.query.QuestionError: the question is 2,001 characters long; the limit is 2,000: shorten it
    >>> check_question("\\x00\\x01 binary")
    Traceback (most recent call last):
    rag.query.QuestionError: the question contains control characters (U+0000 at character 1)...
    """
    question = text.strip()
    if not question:
        raise QuestionError("the question is empty: type a question about the articles")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(question):,} characters long; "
            f"the limit is {MAX_QUESTION_CHARS:,}: shorten it"
        )
    if bad := _CONTROL_CHARS.search(question):
        raise QuestionError(
            f"the question contains control characters (U+{ord(bad.group()):04X} at "
            f"character {bad.start() + 1}): ask in plain text"
        )
    return question


_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH_ABBREVIATIONS = {m[:3] for m in _MONTHS}
_MONTH_RE = (
    "|".join(m.capitalize() for m in _MONTHS)
    + "|"
    + "|".join(m[:3].capitalize() + r"\.?" for m in _MONTHS)
)
# The patterns below see the question, so each runs in linear time on any text (a
# question of 30,000 spaces took 31 s and stopped the chat server): quantifiers are
# possessive (``++``, ``*+``: they never give back what they took) wherever what
# follows cannot use it, and a match that opens with whitespace only starts where the
# whitespace does (``(?<!\s)``), not again at every later space of the run.
_DATE = re.compile(rf"\b({_MONTH_RE})\s++(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s++(\d{{4}}))?\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# Connectives where a question's next part begins ("..., and the Fortune article ...").
_PART_BREAK = re.compile(
    r"(?:,|(?<!\s))\s++(?:and|while|whereas|but|compared to|versus)\s++|;\s*+|,\s++", re.I
)
# "a Reuters report", "an analysis from The Wall Street Journal", "according to Variety"
_NAME = r"((?:The\s+)?[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|of|&))*)"
_WORK = r"(?:article|report|piece|feature|story|coverage|analysis|updates?|information|reporting)"
# Where "a"/"an"/"the" opens a word, not inside a name token ("A-a", "O'the"), so no
# name is scanned again from a later article; an opening quote is fine ("'a Reuters").
_ARTICLE_START = r"(?<![\w.&'’-])(?<![\w.&'’-]['’])"
_ATTRIBUTED = [
    # The name is taken whole (atomic): giving back words or letters cannot make a
    # work word follow it, and backtracking into it made this quadratic.
    re.compile(rf"{_ARTICLE_START}(?:an?|the)\s++(?>{_NAME})\s++{_WORK}s?\b"),
    re.compile(rf"\b{_WORK}s?\s++(?:from|by)\s++{_NAME}"),
    re.compile(rf"\b{_WORK}s?\s++on\s++{_NAME}(?=\s*[,.;?]|$)"),
    re.compile(rf"\b(?:according to|reported by|published by|feature on)\s++{_NAME}"),
]
_LISTED = re.compile(rf"(?<!\s)(?:\s*+,\s*+(?:and\s++)?|\s++and\s++){_NAME}")
_NOT_OUTLETS = {"the", "a", "an", "article", "report", "this", "that", "it"}


@dataclass(frozen=True)
class Part:
    """One part of a question, with the outlets and day it names."""

    text: str
    sources: tuple[str, ...] = ()
    day: date | None = None

    @property
    def query(self) -> str:
        """The part's words without the outlet names and dates it is filtered by."""
        text = self.text
        for source in sorted(self.sources, key=len, reverse=True):
            for name in sorted(outlet_names(source), key=len, reverse=True):
                text = re.sub(re.escape(name), " ", text, flags=re.I)
        if self.day is not None:
            text = _ISO_DATE.sub(" ", _DATE.sub(" ", text))
        return " ".join(text.split())


@dataclass(frozen=True)
class QueryPlan:
    """How to search for a question."""

    question: str
    parts: tuple[Part, ...] = ()
    unknown_outlets: tuple[str, ...] = field(default=())


def find_dates(text: str, default_year: int | None = None) -> list[tuple[int, date]]:
    """``(position, date)`` for dates written out in ``text`` ("October 30, 2023", ISO).

    >>> find_dates("on Oct. 3, 2023 and 2023-12-06")
    [(3, datetime.date(2023, 10, 3)), (20, datetime.date(2023, 12, 6))]
    """
    result = []
    abbreviations = [m[:3] for m in _MONTHS]
    for match in _DATE.finditer(text):
        year = int(match.group(3)) if match.group(3) else default_year
        if year is None:
            continue
        month = abbreviations.index(match.group(1)[:3].lower()) + 1
        with contextlib.suppress(ValueError):
            result.append((match.start(), date(year, month, int(match.group(2)))))
    for match in _ISO_DATE.finditer(text):
        with contextlib.suppress(ValueError):
            result.append((match.start(), date(*map(int, match.groups()))))
    return sorted(result, key=lambda pair: pair[0])


def unknown_outlets(question: str, sources: list[str]) -> list[str]:
    """Outlets the question attributes information to that no stored article is from."""
    names = []
    for pattern in _ATTRIBUTED:
        for match in pattern.finditer(question):
            names.append(match.group(1).strip())
            end = match.end(1)
            # "from The New York Times and The Washington Post": every listed name counts
            while more := _LISTED.match(question, end):
                names.append(more.group(1).strip())
                end = more.end(1)
    out: list[str] = []
    for name in names:
        key = outlet_key(name)
        first = name.split()[0].casefold().rstrip(".")
        if (
            not key
            or name.casefold() in _NOT_OUTLETS
            or first in _MONTHS
            or (first[:3] in _MONTH_ABBREVIATIONS and len(first) <= 4)
            or name.endswith(("'s", "’s", "s'", "s’"))
        ):
            continue
        if any(same_outlet(name, source) for source in sources):
            continue
        if name not in out:
            out.append(name)
    return out


def plan_query(question: str, sources: list[str]) -> QueryPlan:
    """Split ``question`` into its parts, each with the outlets and day it names.

    A part is a clause ("..., and the Fortune article says ...", "... who is also
    accused of ..."). A clause that names one outlet is searched within it; one that
    names none (or lists several) is searched within all outlets the question names.

    >>> plan = plan_query(
    ...     "Did The Verge report on October 3, 2023 that rents rose sharply in Boston, "
    ...     "and did Wired say landlords raised prices?", ["The Verge", "Wired", "Polygon"])
    >>> [(p.sources, str(p.day)) for p in plan.parts]
    [(('The Verge',), '2023-10-03'), (('Wired',), 'None')]
    """
    mentions = find_outlets(question, sources)
    unknown = tuple(unknown_outlets(question, sources))
    named = tuple(dict.fromkeys(m[2] for m in mentions))
    dates = find_dates(question)
    segments = _merge_small(question, _segments(question, mentions), named)
    if len(segments) < 2 and not named:
        return QueryPlan(question, (), unknown)
    parts: list[Part] = []
    for start, end in segments[:MAX_PARTS]:
        inside = [m for m in mentions if start <= m[0] < end]
        groups = _groups(question, inside)
        own = tuple(dict.fromkeys(m[2] for m in groups[0])) if len(groups) == 1 else ()
        listed = len(groups) == 1 and not _same_mention(groups[0])
        day = next((d for pos, d in dates if start <= pos < end), None)
        if day is None and parts and _SAME_DAY.search(question, start, end):
            day = parts[-1].day  # "the report on the same date"
        part = Part(question[start:end].strip(" ,;?"), named if listed or not own else own, day)
        if part not in parts:
            parts.append(part)
    return QueryPlan(question, tuple(parts), unknown)


MAX_PARTS = 6
_SAME_DAY = re.compile(r"\b(?:the\s++)?same\s++(?:date|day)\b", re.I)
# "the report by ", "a Fortune" ... right before an outlet name: the part starts there.
_LEAD_IN = re.compile(
    r"\b(?:the|a|an)\s++(?:[\w-]++\s++){0,2}?(?:(?:by|from|in|on|of)\s++)?$|\b(?:the|a|an)\s++$",
    re.I,
)
# Where a question's next part begins: "...; ", ", and the ...", ", who ...", " while ..."
_CLAUSE_BREAK = re.compile(
    r";\s*+"
    r"|(?:,|(?<!\s))\s++and\s++(?=(?:is|was|are|were|has|had|have|also|does|did|do|the|a|an|"
    r"that|which|who|what|how|whether|its|their|his|her)\b)"
    r"|,\s++(?=(?:who|which|while|whereas|but)\b)"
    r"|(?<!\s)\s++(?=(?:while|whereas|as well as|compared to|in contrast to)\b)",
    re.I,
)
# Only commas, spaces and one "and"/"or"/"&" between two outlet mentions.
_JOINER = re.compile(r"[\s,]*+(?:(?:and|or|&)[\s,]*+)?")


def _groups(
    question: str, mentions: list[tuple[int, int, str]]
) -> list[list[tuple[int, int, str]]]:
    groups: list[list[tuple[int, int, str]]] = []
    for mention in mentions:
        if groups and _adjacent(question, groups[-1][-1], mention):
            groups[-1].append(mention)
        else:
            groups.append([mention])
    return groups


def _segments(question: str, mentions: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Clause spans; a clause naming two separate outlets is cut between them."""
    cuts = [0] + [m.start() for m in _CLAUSE_BREAK.finditer(question)] + [len(question)]
    spans = [(a, b) for a, b in itertools.pairwise(sorted(set(cuts))) if b > a]
    out = []
    for start, end in spans:
        groups = _groups(question, [m for m in mentions if start <= m[0] < end])
        bounds = _part_bounds(question, [g[0][0] for g in groups], start, end)
        out += bounds if len(groups) > 1 else [(start, end)]
    return out


def _merge_small(
    question: str, spans: list[tuple[int, int]], named: tuple[str, ...]
) -> list[tuple[int, int]]:
    """Join clauses too short to search on their own to their neighbour."""
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and len(_content(question[span[0] : span[1]], named)) < 3:
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    if len(merged) > 1 and len(_content(question[merged[0][0] : merged[0][1]], named)) < 3:
        merged[:2] = [(merged[0][0], merged[1][1])]
    return merged


def _same_mention(group: list[tuple[int, int, str]]) -> bool:
    return len({(m[0], m[1]) for m in group}) == 1


def _adjacent(question: str, a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Mentions joined only by commas/and ("The Verge, Fortune, and TechCrunch")."""
    between = question[a[1] : b[0]]
    return a[:2] == b[:2] or _JOINER.fullmatch(between) is not None


def _part_bounds(question: str, starts: list[int], lo: int, hi: int) -> list[tuple[int, int]]:
    """Cut ``question[lo:hi]`` before each later mention, at the nearest clause break."""
    cuts = [lo]
    for previous, start in itertools.pairwise(starts):
        lead = _LEAD_IN.search(question, previous, start)
        breaks = [m.start() for m in _PART_BREAK.finditer(question, previous, start)]
        cuts.append(lead.start() if lead else breaks[-1] if breaks else start)
    cuts.append(hi)
    return list(itertools.pairwise(cuts))


def _content(text: str, names: tuple[str, ...]) -> list[str]:
    name_terms = {t for n in names for t in query_terms(n)}
    noise = {"article", "report", "published", "reported", "according", "coverage", "piece"}
    months = set(_MONTHS) | {m[:3] for m in _MONTHS}
    return [
        t
        for t in query_terms(text)
        if t not in name_terms and t not in noise and t not in months and not t.isdigit()
    ]


def day_range(day: date, slack_days: int = 1) -> tuple[int, int]:
    """Unix-second bounds for articles published on ``day`` (± slack for time zones)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    start = midnight - timedelta(days=slack_days)
    end = midnight + timedelta(days=slack_days + 1)
    return int(start.timestamp()), int(end.timestamp()) - 1
