"""When a question is about: dates and periods in its words, relative to ``as_of``.

People write "last week", "in June", "14 June 2024", "June 14", "yesterday", "before
3 November", "as of December 1", "the latest on ...". Phrases are found by the
patterns below (linear-time, see tests/reliability/test_rel_regex.py) and turned into
dates by dateparser, relative to ``as_of`` (default: now), so "last week" asked on
2023-11-20 means 13-19 November 2023.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_MONTH_PHRASE = (
    rf"(?:{_DAY}\s(?:of\s)?)?(?:{_MONTHS})\.?(?:\s{_DAY}(?![\d:]))?(?:,?\s(?:19|20)\d\d)?"
)
_NUMERIC = r"(?:19|20)\d\d-\d\d-\d\d|\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d|(?:19|20)\d\d/\d\d/\d\d"
_RELATIVE = (
    r"today|yesterday|tonight|last\snight|this\smorning|"
    r"(?:this|last|past|previous)\s(?:week|month|year|weekend)"
    r"|(?:the\s)?(?:past|last)\s\d{1,3}\s(?:days|weeks|months)|\d{1,3}\s(?:days|weeks|months)\sago"
)
_YEAR = r"(?:19|20)\d\d"
# A relation word, then one time phrase. Single spaces only (the question's whitespace
# is collapsed first), every quantifier bounded: linear time on any input.
_PHRASE = re.compile(
    rf"\b(?:(as\sof|before|until|till|by|prior\sto|after|since|from|in|on|during|around)\s)?"
    rf"(?:the\s)?({_NUMERIC}|{_RELATIVE}|{_MONTH_PHRASE}|{_YEAR})\b(?![-'’]\w)",
    re.I,
)
_RECENT = re.compile(
    r"\b(?:latest|most\srecent(?:ly)?|newest|recent(?:ly)?|currently|current|so\sfar|"
    r"up\sto\sdate|updates?\son|any\supdates?|what'?s\snew|newer|last\sheard|"
    r"at\sthe\smoment|right\snow|as\sit\sstands|these\sdays|yet|still|"
    r"anymore|any\smore)\b",
    re.I,
)
_RELATIVE_WORDS = re.compile(_RELATIVE, re.I)
_HAS_YEAR = re.compile(r"(?:19|20)\d\d")
_AMBIGUOUS_MONTHS = {"may", "march", "mar", "jan", "sept", "dec", "oct", "nov", "aug", "jun"}
_SETTINGS = {"PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
_STARTS = ("after", "since", "from")
_ENDS = ("before", "until", "till", "by", "prior to")


@dataclass(frozen=True)
class TimeScope:
    """The period a question asks about (inclusive days), and whether it wants the latest.

    ``after``/``before`` are ``None`` when open; ``as_of`` is the day the question is
    asked (nothing published later can be meant); ``phrases`` are the question's time
    words, for removal from the search text.
    """

    as_of: date
    after: date | None = None
    before: date | None = None
    recency: bool = False
    phrases: tuple[str, ...] = field(default=())
    # ``as_of`` was given (or the question says "as of ..."): later articles are left
    # out. Today by default leaves nothing out (undated articles included).
    explicit: bool = False
    # The period was named without a year ("in late September", "on June 14"): read as
    # the latest such period by ``as_of``, it may also mean an earlier year's.
    yearless: bool = False

    def years_back(self, years: int) -> TimeScope:
        """The same period ``years`` earlier (for a period named without a year).

        >>> time_scope("What happened in June?", "2024-07-01").years_back(1).describe()
        'from 2023-06-01 to 2023-06-30'
        """
        return replace(self, after=_earlier(self.after, years), before=_earlier(self.before, years))

    def search_text(self, question: str) -> str:
        """``question`` without its time words ("the latest on", "last week"), which
        are filters, not topics: "the latest updates" is not what to search for.

        >>> time_scope("What's the latest on the FTX trial?").search_text(
        ...     "What's the latest on the FTX trial?")
        "What's the on the FTX trial?"
        """
        text = " ".join(question.split())
        for phrase in self.phrases:
            text = text.replace(phrase, " ")
        if self.recency:
            text = _RECENT.sub(" ", text)
        cleaned = " ".join(text.split())
        return cleaned if len(cleaned) >= 3 else question

    @property
    def bounded(self) -> bool:
        """True when the question names a period."""
        return self.after is not None or self.before is not None

    @property
    def timely(self) -> bool:
        """True when time matters: the question names a period or wants the latest."""
        return self.bounded or self.recency

    def describe(self) -> str:
        """``from 2023-11-13 to 2023-11-19``, ``until 2023-11-03``, or ``''``."""
        if self.after and self.before:
            if self.after == self.before:
                return f"on {self.after}"
            return f"from {self.after} to {self.before}"
        if self.after:
            return f"from {self.after}"
        if self.before:
            return f"until {self.before}"
        return ""


def _earlier(day: date | None, years: int) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def as_date(value: date | datetime | str | None) -> date:
    """``as_of`` given as a date, datetime, ISO 8601 text or ``None`` (today, UTC).

    >>> as_date("2023-11-20T10:00:00+00:00"), as_date(date(2023, 1, 2))
    (datetime.date(2023, 11, 20), datetime.date(2023, 1, 2))
    """
    if value is None:
        return datetime.now(UTC).date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        parsed = _parse(text, datetime.now(UTC).replace(tzinfo=None))
        if parsed is None:
            raise ValueError(
                f"as_of must be a date such as 2023-11-20, not {value!r}"
            ) from None
        return parsed[0]


def time_scope(question: str, as_of: date | datetime | str | None = None) -> TimeScope:
    """The period ``question`` names, relative to ``as_of``.

    >>> s = time_scope("What happened last week with the strike?", "2023-11-20")
    >>> s.after, s.before
    (datetime.date(2023, 11, 13), datetime.date(2023, 11, 19))
    >>> time_scope("Latest on OpenAI's board as of December 1", "2023-12-20").describe()
    'until 2023-12-01'
    >>> time_scope("What did Biden say in June?", "2024-07-01").describe()
    'from 2024-06-01 to 2024-06-30'
    >>> time_scope("g7 loan?", "2024-07-01").bounded
    False
    """
    today = as_date(as_of)
    text = " ".join(question.split())
    after: date | None = None
    before: date | None = None
    phrases: list[str] = []
    base = datetime(today.year, today.month, today.day, 12)
    periods = 0
    yearless = False
    for match in _PHRASE.finditer(text):
        relation = (match.group(1) or "").lower().replace("\xa0", " ")
        phrase = match.group(2)
        if not _plausible(text, match, relation, phrase):
            continue
        parsed = _parse(phrase, base)
        if parsed is None:
            continue
        start, end = parsed
        end = min(end, today)
        if start > today:
            continue
        phrases.append(match.group(0))
        yearless = yearless or not (_RELATIVE_WORDS.match(phrase) or _HAS_YEAR.search(phrase))
        if relation == "as of":
            today = before = min(today, end)
            base = datetime(today.year, today.month, today.day, 12)
        elif relation in _STARTS:
            after = start
        elif relation in _ENDS:
            before = start - timedelta(days=1) if relation != "by" else end
        else:
            periods += 1
            after, before = start, end
    if periods > 1:  # several dates ("the report of Oct 3 and the one of Nov 5"): no one period
        after = before = None
    if before is not None and before > today:
        before = today
    explicit = as_of is not None or today != as_date(as_of)
    return TimeScope(
        today,
        after,
        before,
        bool(_RECENT.search(text)),
        tuple(phrases),
        explicit,
        yearless and (after is not None or before is not None),
    )


def _plausible(text: str, match: re.Match[str], relation: str, phrase: str) -> bool:
    """Drop words that only look like dates: "may" the verb, a bare number."""
    word = phrase.split()[0].lower().rstrip(".")
    if word in _AMBIGUOUS_MONTHS and not relation and not re.search(r"\d", phrase):
        return False
    if word == "may" and not re.search(r"\d", phrase) and phrase[0].islower():
        return False
    # "2023" alone is as often a number as a year
    return not (re.fullmatch(_YEAR, phrase) and not relation)


_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365, "weekend": 7}
_RELATIVE_PARTS = re.compile(
    r"(this|last|past|previous)\s(week|month|year|weekend)"
    r"|(?:the\s)?(?:past|last)\s(\d{1,3})\s(day|week|month)s"
    r"|(\d{1,3})\s(day|week|month)s\sago",
    re.I,
)


def _relative(phrase: str, today: date) -> tuple[date, date] | None:
    """Periods counted back from today: "last week" is the Monday-Sunday before this one.

    >>> _relative("last week", date(2023, 11, 22))
    (datetime.date(2023, 11, 13), datetime.date(2023, 11, 19))
    >>> _relative("the past 3 days", date(2023, 11, 22))
    (datetime.date(2023, 11, 19), datetime.date(2023, 11, 22))
    """
    word = phrase.lower()
    if word in ("today", "tonight", "this morning"):
        return today, today
    if word in ("yesterday", "last night"):
        return today - timedelta(days=1), today - timedelta(days=1)
    match = _RELATIVE_PARTS.fullmatch(word)
    if match is None:
        return None
    if match.group(1):
        which, unit = match.group(1), match.group(2)
        if which == "past":
            return today - timedelta(days=_UNIT_DAYS[unit]), today
        if unit in ("week", "weekend"):
            monday = today - timedelta(days=today.weekday())
            if which != "this":
                monday -= timedelta(days=7)
            if unit == "weekend":  # this weekend: the latest one begun by today
                saturday = monday + timedelta(days=5)
                if which == "this" and saturday > today:
                    saturday -= timedelta(days=7)
                return saturday, min(saturday + timedelta(days=1), today)
            return monday, min(monday + timedelta(days=6), today)
        if unit == "month":
            first = today.replace(day=1)
            if which == "this":
                return first, today
            last = first - timedelta(days=1)
            return last.replace(day=1), last
        year = today.year if which == "this" else today.year - 1
        return date(year, 1, 1), min(date(year, 12, 31), today)
    if match.group(3):
        return today - timedelta(days=int(match.group(3)) * _UNIT_DAYS[match.group(4)]), today
    back = today - timedelta(days=int(match.group(5)) * _UNIT_DAYS[match.group(6)])
    return back, back


def _parse(phrase: str, base: datetime) -> tuple[date, date] | None:
    """First and last day of the period ``phrase`` names, relative to ``base``
    (counted here for "last week" and the like, by dateparser for dates)."""
    relative = _relative(phrase, base.date())
    if relative is not None:
        return relative
    from dateparser.date import DateDataParser

    parser = DateDataParser(languages=["en"], settings={**_SETTINGS, "RELATIVE_BASE": base})
    cleaned = re.sub(r"(?<=\d)(?:st|nd|rd|th)\b", "", phrase)
    with contextlib.suppress(Exception):  # dateparser raises on some odd inputs
        data: Any = parser.get_date_data(cleaned)
        moment = data.date_obj
        if moment is None:
            return None
        day = moment.date()
        period = data.period or "day"
        if period == "month":
            start = day.replace(day=1)
            following = (start + timedelta(days=32)).replace(day=1)
            return start, following - timedelta(days=1)
        if period == "year":
            return day.replace(month=1, day=1), day.replace(month=12, day=31)
        return day, day
    return None
