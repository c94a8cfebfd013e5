"""Where reports disagree: two articles giving different values for the same fact.

A conflict is two evidence sentences from different articles that are about the same
subject (they share the question's words and enough of each other's, weighted by IDF)
and state values of the same kind that differ: money in one currency (46bn, 46
billion, 46,000 million and €46bn are one value), percentages, counts of the same
noun ("1,500 people"), dates, years and scores ("2-1"). A value that merely rounds
another ("$1.4bn" and "$1.43 billion") or a hedged one within 10% ("nearly 4,000")
agrees; values of different kinds (a date and an amount, people and jobs, dollars and
euros) never conflict. The answer then shows both, side by side, instead of one.

Example:
    >>> from rag.types import Passage
    >>> def said(source, day, text):
    ...     p = Passage(source, source, text, "G7 loan", source, None, day, 0, len(text),
    ...                 story_id=source)
    ...     return Sentence(p, 0, len(text), text)
    >>> a = said("Reuters", "2024-06-14", "The G7 agreed a loan of €46bn for Ukraine.")
    >>> b = said("Kyiv Independent", "2024-06-13", "G7 leaders agreed a €50 billion loan.")
    >>> found = find_conflicts("How big is the G7 loan for Ukraine?", [a, b])
    >>> print(describe(found, {a: 1, b: 2}.get))
    Reports differ: Reuters (2024-06-14): €46bn [1]; Kyiv Independent (2024-06-13): €50 billion [2].
    >>> c = said("AP", "2024-06-14", "A loan of 46,000 million euros was agreed by the G7.")
    >>> find_conflicts("How big is the G7 loan for Ukraine?", [a, c])
    []
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rag.text import MONTHS, Sentence, idf, stems

# Share of the lighter sentence's IDF weight two sentences must share to be about the
# same subject (numbers and values do not count).
SAME_SUBJECT = 0.3
# Sentences this similar state one fact: a value left over on each side conflicts
# even when the words around the values differ.
CLOSE = 0.5
# A hedged value ("about", "nearly", "more than") agrees with one this close.
HEDGE_TOLERANCE = 0.1
# At most this many conflicts are reported for one answer.
MAX_CONFLICTS = 3

_MONTH_NUMBERS = {m[:3]: n for n, m in enumerate(MONTHS, 1)}  # "jun": 6
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_YEAR = r"(?:19|20)\d\d"
# "June 14", "Jan. 13, 2020", "14 June 2024", "14th of June", "2024-06-14", "June 2024".
_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\.?\s++(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?+\b(?:,?\s++(?P<y1>{_YEAR})\b)?+"
    rf"|(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?+\s++(?:of\s++)?(?P<m2>{_MONTH})\b\.?(?:,?\s++(?P<y2>{_YEAR})\b)?+"
    rf"|(?P<y3>{_YEAR})-(?P<m3>[01]\d)-(?P<d3>[0-3]\d)\b"
    rf"|(?P<m4>{_MONTH})\.?,?\s++(?P<y4>{_YEAR})\b)"
)
# "2-1", "31-24", "3–0": a score (or a win-loss record).
_SCORE = re.compile(r"(?<![\w.,-])(\d{1,3})\s?+[-–]\s?+(\d{1,3})(?![\w%-]|[.,]\d)")
# A number as written: 46, 1,200, 2.5, 46bn (the scale word is read after it).
_NUMBER = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})++|\d++)(?:\.\d++)?+(?![.,]\d)")
_NUMBER_WORDS = re.compile(
    r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|dozen)\b",
    re.I,
)
_WORD_VALUES = {
    w: i + 2
    for i, w in enumerate(
        "two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"dozen": 12}
# A currency written before the number (read on the few characters before it).
_CURRENCY_BEFORE = re.compile(
    r"(?:(US|AU|A|C|NZ|HK|S)?\$|€|£|¥|₹|Rs\.?|NIS|USD|EUR|GBP|AUD|INR|JPY)\s?$"
)
# What follows a number: a scale, then a currency or percent sign.
_AFTER = re.compile(
    r"\s?+(?P<scale>trillion|billion|million|thousand|crore|lakh|tn|bn|mn|m|b|k)?+\b"
    r"\s?+(?P<unit>%|per\s?cent\b|percent\b|percentage\s++points?\b|"
    r"(?:US\s|Australian\s|Canadian\s)?dollars?\b|euros?\b|pounds?\s++sterling\b|pounds?\b|"
    r"shekels?\b|yen\b|rupees?\b|USD\b|EUR\b|GBP\b|NIS\b)?+",
    re.I,
)
_SCALES = {
    "k": 1e3, "thousand": 1e3, "lakh": 1e5, "m": 1e6, "mn": 1e6, "million": 1e6,
    "crore": 1e7, "b": 1e9, "bn": 1e9, "billion": 1e9, "t": 1e12, "tn": 1e12, "trillion": 1e12,
}  # fmt: skip
_CURRENCIES = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "us dollar": "USD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "australian dollar": "AUD",
    "c$": "CAD", "canadian dollar": "CAD", "nz$": "NZD", "hk$": "HKD", "s$": "SGD",
    "€": "EUR", "eur": "EUR", "euro": "EUR", "£": "GBP", "gbp": "GBP", "pound": "GBP",
    "pound sterling": "GBP", "¥": "JPY", "jpy": "JPY", "yen": "JPY", "₹": "INR",
    "rs": "INR", "rs.": "INR", "inr": "INR", "rupee": "INR", "nis": "ILS", "shekel": "ILS",
}  # fmt: skip
_HEDGE = re.compile(
    r"\b(?:about|around|nearly|almost|roughly|approximately|some|over|more\s++than|"
    r"less\s++than|fewer\s++than|up\s++to|at\s++least|at\s++most|under|close\s++to|"
    r"estimated|an\s++estimated|upwards\s++of)\s?+[$€£¥₹]?$|~$",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][\w'’-]*+")
# Words after a number that are not the thing counted.
_NOT_NOUNS = frozenset(
    """of to and or the a an in on at for from by with than per more less new other
    additional straight consecutive total different major minor times percent per cent
    old over under about up down out off as is are was were be been has have
    had will would can could into during between among this that those these its their
    his her our your my while when after before since until am pm""".split()
)
# Words before a number that make it a label ("Week 13", "No. 5"), not a count.
_LABELS = frozenset(
    "week weeks game no number page section version round chapter article top level "
    "grade aged age season model route flight room gate district".split()
)
# What a question asks for ("how much": money), to show that kind of conflict first.
_ASKS = {
    "money": re.compile(r"\bhow\s++much\b|\bcost|\bprice|\bworth\b|\bpa(?:y|id)\b|\bvalu", re.I),
    "count": re.compile(r"\bhow\s++many\b|\bnumber\s++of\b", re.I),
    "percent": re.compile(r"\bper\s?cent|%|\bshare\b|\brate\b", re.I),
    "date": re.compile(r"\bwhen\b|\bwhat\s++(?:date|day|year)\b", re.I),
    "score": re.compile(r"\bscore\b|\bresult\b|\bbeat\b|\bwin\b|\bwon\b|\blos[et]\b", re.I),
}


@dataclass(frozen=True)
class Value:
    """One value a sentence states: its ``kind`` (``("money", "EUR")``, ``("count",
    "people")``, ``("date",)`` ...), the amount, how precisely it is written (the
    place of its last significant digit), whether it is hedged, and its text."""

    kind: tuple[str, ...]
    amount: tuple[float, ...]
    text: str
    start: int
    end: int
    precision: float = 0.0
    hedged: bool = False

    def agrees(self, other: Value) -> bool:
        """Whether ``other`` states the same value (in any format, or rounded).

        >>> [v.agrees(w) for v, w in zip(values("$1.4bn and €46bn"), values("$1.43 billion"))]
        [True]
        """
        if self.kind != other.kind:
            return False
        if self.kind[0] == "date":
            pairs = zip(self.amount, other.amount, strict=True)
            return all(a == b or not a or not b for a, b in pairs)
        if self.kind[0] == "score":
            return self.amount == other.amount
        a, b = self.amount[0], other.amount[0]
        if a == b:
            return True
        if self.hedged or other.hedged:
            return abs(a - b) <= HEDGE_TOLERANCE * max(abs(a), abs(b))
        coarser = max(self.precision, other.precision)
        return abs(a - b) < 0.5 * coarser


@dataclass(frozen=True)
class Conflict:
    """Different values of one kind for the same subject, one per article: each item is
    the sentence that states it and the value as written there."""

    kind: tuple[str, ...]
    items: tuple[tuple[Sentence, str], ...]
    subject: tuple[str, ...] = field(default=())


def values(text: str) -> list[Value]:
    """The values ``text`` states, each with its kind.

    >>> [(v.kind, v.amount, v.text) for v in values("On June 14 the G7 agreed €46bn.")]
    [(('date',), (0.0, 6.0, 14.0), 'June 14'), (('money', 'EUR'), (46000000000.0,), '€46bn')]
    >>> [(v.kind, v.text) for v in values("More than 1,500 people died; Lions won 31-24.")]
    [(('count', 'people'), '1,500 people'), (('score',), '31-24')]
    """
    out: list[Value] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE.finditer(text):
        month = m.group("m1") or m.group("m2") or m.group("m4")
        number = _MONTH_NUMBERS[month[:3].lower()] if month else 0
        if m.group("m3"):
            number = int(m.group("m3"))
        day = m.group("d1") or m.group("d2") or m.group("d3")
        year = m.group("y1") or m.group("y2") or m.group("y3") or m.group("y4")
        if day and not 1 <= int(day) <= 31:
            continue
        # A year the sentence does not give is unknown (0), and matches any year.
        amount = (float(year or 0), float(number), float(day or 0))
        out.append(Value(("date",), amount, m.group(), m.start(), m.end()))
        taken.append(m.span())
    for m in _SCORE.finditer(text):
        if _inside(m.span(), taken):
            continue
        if _range_unit(text, m.end()):  # "12-22 hours": a range, neither a score nor a count
            taken.append(m.span())
            continue
        a, b = int(m.group(1)), int(m.group(2))
        out.append(Value(("score",), (float(max(a, b)), float(min(a, b))), m.group(), *m.span()))
        taken.append(m.span())
    for m in _NUMBER.finditer(text):
        if _inside(m.span(), taken):
            continue
        value = _number_value(text, m)
        if value is not None:
            out.append(value)
    for m in _NUMBER_WORDS.finditer(text):
        noun, end = _noun_after(text, m.end())
        if noun and not _label_before(text, m.start()):
            count = (float(_WORD_VALUES[m.group(1).lower()]),)
            out.append(Value(("count", noun), count, text[m.start() : end], m.start(), end, 1.0))
    out.sort(key=lambda v: v.start)
    return out


def _inside(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in taken)


def _range_unit(text: str, end: int) -> bool:
    """Whether a "12-22" is a range of something ("12-22 hours"), not a score."""
    word = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    return bool(word) and word.group().lower().rstrip("s") in {  # type: ignore[union-attr]
        "hour", "day", "week", "month", "year", "minute", "second", "percent", "time",
        "mile", "yard", "foot", "feet", "inch", "point", "game", "ft", "km", "kg", "lb",
    }  # fmt: skip


def _label_before(text: str, start: int) -> bool:
    words = _WORD.findall(text[max(0, start - 12) : start])
    return bool(words) and words[-1].lower().rstrip(".") in _LABELS


def _noun_after(text: str, end: int) -> tuple[str | None, int]:
    """The counted noun after a number (its stem, singular) and where it ends."""
    for _ in range(2):
        rest = text[end : end + 40]
        m = re.match(r"[\s-]?+", rest)
        skip = m.end() if m else 0
        word = _WORD.match(text, end + skip)
        if not word or word.start() - end > 1:
            return None, end
        w = word.group().lower().strip("'’")
        if w in ("million", "billion", "thousand", "more", "new", "straight", "consecutive"):
            end = word.end()
            continue
        if w in _NOT_NOUNS or not w.isalpha():
            return None, end
        noun = w[:-1] if w.endswith("s") and not w.endswith("ss") else w
        return noun[:6], word.end()
    return None, end


def _number_value(text: str, m: re.Match[str]) -> Value | None:
    digits = m.group().replace(",", "")
    number = float(digits)
    before = text[max(0, m.start() - 5) : m.start()]
    currency = _CURRENCY_BEFORE.search(before)
    after = _AFTER.match(text, m.end())
    scale_word = (after.group("scale") or "").lower() if after else ""
    unit = (after.group("unit") or "").lower() if after else ""
    end = after.end() if after and (scale_word or unit) else m.end()
    if end > m.end() and text[end - 1 : end].isspace():
        end -= 1
    scale = _SCALES.get(scale_word, 1.0)
    # The place of the last digit written ("2.5": 0.1; "46": 1): "$1.4bn" is a
    # rounded "$1.43 billion" (trailing zeros count: "2,000" and "2,400" differ).
    precision = 10.0 ** -len(digits.split(".")[1]) if "." in digits else 1.0
    start = m.start() - (len(currency.group()) if currency else 0)
    hedged = bool(_HEDGE.search(text[max(0, start - 24) : start]))
    if unit in ("%", "percent") or unit.startswith("per"):
        kind: tuple[str, ...] = ("percent",)
        scale = 1.0
    elif unit.startswith("percentage"):
        kind = ("points",)
        scale = 1.0
    elif currency or unit:
        code = currency.group().strip().lower() if currency else unit.replace("s", "")
        code = " ".join(code.replace("  ", " ").split())
        if code not in _CURRENCIES:
            code = code.rstrip("s")
        kind = ("money", _CURRENCIES.get(code, code))
    elif len(digits) == 4 and 1900 <= number <= 2099 and not scale_word:
        return Value(("year",), (number,), m.group(), m.start(), m.end(), 1.0, hedged)
    else:
        if _label_before(text, m.start()) or scale_word in ("m", "b", "k", "t"):
            return None  # "Week 13"; "100m" is metres as often as millions
        noun, end = _noun_after(text, end)
        if not noun:
            return None
        kind = ("count", noun)
    return Value(kind, (number * scale,), text[start:end], start, end, precision * scale, hedged)


# -- which sentences disagree -----------------------------------------------------------


def _content(text: str) -> set[str]:
    """Content stems without numbers (values are compared separately)."""
    return {s for s in stems(text) if not s[:1].isdigit()}


def _asked(question: str) -> set[str]:
    return {kind for kind, pattern in _ASKS.items() if pattern.search(question)}


def find_conflicts(question: str, sentences: Sequence[Sentence]) -> list[Conflict]:
    """Values of one kind that differ between sentences of different articles about
    the same subject: at most :data:`MAX_CONFLICTS`, the kind the question asks for
    ("how much": money, "when": dates ...) first.

    Sentences of one article never conflict with each other; nor do copies of one
    story (same ``story_id``) that state the same value, since equal values agree.

    >>> from rag.types import Passage
    >>> def s(aid, text):
    ...     return Sentence(Passage(aid, aid, text, "", aid, None, None, 0, 0), 0, 0, text)
    >>> [c.kind for c in find_conflicts("How many people died in the quake?",
    ...     [s("a", "The quake killed 1,200 people."), s("b", "The quake killed 900 people.")])]
    [('count', 'people')]
    >>> find_conflicts("When did the quake hit?",
    ...     [s("a", "The quake hit on June 3, killing 12."), s("b", "It killed 40 in Peru.")])
    []
    """
    asked_words = _content(question)
    facts = [(s, _content(s.text), values(s.text)) for s in sentences]
    stated: dict[str, list[Value]] = {}  # every value each article states
    for s, _, found in facts:
        stated.setdefault(s.passage.article_id, []).extend(found)
    facts = [f for f in facts if f[2]]
    weights = idf(_content(s.text) for s in sentences)
    pairs: list[tuple[Sentence, Value, Sentence, Value, tuple[str, ...]]] = []
    for i, (s1, words1, values1) in enumerate(facts):
        for s2, words2, values2 in facts[i + 1 :]:
            if s1.passage.article_id == s2.passage.article_id:
                continue
            if asked_words and not (_topic(s1) & _topic(s2) & asked_words):
                continue
            shared = words1 & words2
            lighter = min(sum(weights[w] for w in words1), sum(weights[w] for w in words2))
            similarity = sum(weights[w] for w in shared) / lighter if lighter else 0.0
            if similarity < SAME_SUBJECT:
                continue
            subject = tuple(sorted(shared & asked_words or shared))
            first = (s1.text, values1, stated[s1.passage.article_id])
            second = (s2.text, values2, stated[s2.passage.article_id])
            for a, b in _disagreeing(first, second, similarity >= CLOSE):
                pairs.append((s1, a, s2, b, subject))
    return _grouped(pairs, _asked(question))


def _topic(sentence: Sentence) -> set[str]:
    """What a sentence is about: its words, the sentence before's and its title's."""
    return _content(f"{sentence.text} {sentence.before} {sentence.passage.title}")


_Side = tuple[str, list[Value], list[Value]]


def _disagreeing(first: _Side, second: _Side, close: bool) -> list[tuple[Value, Value]]:
    """Pairs of same-kind values of two sentences (text, its values, all values of its
    article) that the other article states nowhere: the one left over on each side
    when the sentences are ``close`` or the words around the two overlap, or, with
    several, the two whose surrounding words overlap most."""
    text1, values1, all1 = first
    text2, values2, all2 = second
    out = []
    for kind in dict.fromkeys(v.kind for v in values1):
        left = [v for v in values1 if v.kind == kind]
        right = [v for v in values2 if v.kind == kind]
        if not right:
            continue
        alone1 = [v for v in left if not any(v.agrees(w) for w in all2)]
        alone2 = [w for w in right if not any(w.agrees(v) for v in all1)]
        if not alone1 or not alone2:
            continue
        for v in alone1:
            near = _content(_around(text1, v))
            best = max(alone2, key=lambda w: len(near & _content(_around(text2, w))))
            single = len(alone1) == len(alone2) == 1 and len(left) == len(right)
            if _stance(text1, v) != _stance(text2, best):
                continue  # a demand and an offer, a forecast and a result
            if (single and close) or near & _content(_around(text2, best)):
                out.append((v, best))
    return out


# Words that make a value something other than what happened: a forecast, a demand,
# an offer, a plan. "The union demanded a 9% raise" and "the company offered 5%", or
# "analysts expected $5bn" and "it reported $4.8bn", are two facts, not a conflict.
_STANCE = re.compile(
    r"\b(?:(expect|forecast|estimat|predict|project|anticipat|consensus|analyst)"
    r"|(demand|sought|seek|ask|want|call(?=s?\s|ed\s)|claim)"
    r"|(offer|propos|bid)"
    r"|(target|plan|aim|goal|budget|pledg|promis))[\w-]*+",
    re.I,
)


def _stance(text: str, value: Value, reach: int = 40) -> int:
    """Which kind of stance word (1 forecast, 2 demand, 3 offer, 4 plan; 0 none) is
    nearest before ``value`` in ``text``.

    >>> [_stance(t, values(t)[0]) for t in ("It offered a 5% raise.", "Sales rose 5%.")]
    [3, 0]
    """
    kinds = [
        next(i for i, g in enumerate(m.groups(), 1) if g)
        for m in _STANCE.finditer(text[max(0, value.start - reach) : value.start])
    ]
    return kinds[-1] if kinds else 0


def _around(text: str, value: Value, reach: int = 40) -> str:
    before = text[max(0, value.start - reach) : value.start]
    return f"{before} {text[value.end : value.end + reach]}"


def _grouped(
    pairs: list[tuple[Sentence, Value, Sentence, Value, tuple[str, ...]]], asked: set[str]
) -> list[Conflict]:
    """One conflict per kind and subject, listing each article's value once."""
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], dict[str, tuple[Sentence, Value]]] = {}
    for s1, a, s2, b, subject in pairs:
        group = groups.setdefault((a.kind, subject), {})
        for s, v in ((s1, a), (s2, b)):
            group.setdefault(s.passage.article_id, (s, v))
    conflicts = []
    for (kind, subject), items in groups.items():
        shown: list[tuple[Sentence, str]] = []
        distinct: list[Value] = []
        for s, v in items.values():
            shown.append((s, v.text))
            if not any(v.agrees(d) for d in distinct):
                distinct.append(v)
        if len(distinct) > 1:
            shown.sort(key=lambda item: item[0].passage.published_at or "")
            conflicts.append(Conflict(kind, tuple(shown), subject))
    conflicts.sort(key=lambda c: (c.kind[0] not in asked, -len(c.subject)))
    return conflicts[:MAX_CONFLICTS]


def describe(conflicts: Sequence[Conflict], number_of: Callable[[Sentence], int | None]) -> str:
    """The conflicts as a note for the reader: outlet, date, value and citation of each
    report ("Reports differ: Reuters (2024-06-14): €46 billion [1]; ..."); ``number_of``
    gives a sentence's citation number (None: no marker). Empty without conflicts.

    >>> describe([], lambda s: None)
    ''
    """
    notes = []
    for conflict in conflicts:
        parts = []
        numbered = [(number_of(sentence), sentence, text) for sentence, text in conflict.items]
        numbered.sort(key=lambda item: (item[0] is None, item[0] or 0))
        for n, sentence, text in numbered:
            p = sentence.passage
            who = p.source or p.title or "One report"
            when = f" ({p.day})" if p.day else ""
            parts.append(f"{who}{when}: {text}" + (f" [{n}]" if n is not None else ""))
        notes.append("Reports differ: " + "; ".join(parts) + ".")
    return " ".join(notes)
