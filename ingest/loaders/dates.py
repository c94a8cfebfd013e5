"""Publication dates as a page or feed states them, in any common language.

:func:`page_date` takes the date a page gives for first publication in its structured
data; a date written in the byline (near the headline) comes next. The calendar day is
kept as the page wrote it: ``2022-05-03T22:41:00-04:00`` is the 3rd, as its readers saw
it, not the 4th in UTC. :func:`parse_any_date` reads written-out dates in many
languages (``Seg, 24 Set 2018``, ``7. März 2024``) for feeds whose dates feedparser
cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from ingest.article import normalize_date

# Month names and abbreviations (en, de, fr, es, it, pt, nl) -> month number.
_MONTH_NAMES = {
    1: "january jan januar jänner janvier janv enero ene gennaio gen janeiro januari",
    2: "february feb februar février fevrier févr fevr febrero febbraio fevereiro fev februari",
    3: "march mar märz maerz mars marzo março marco maart mrt",
    4: "april apr avril avr abril abr aprile",
    5: "may mai mayo maggio mag maio mei",
    6: "june jun juni juin junio giugno giu junho",
    7: "july jul juli juillet juil julio luglio lug julho",
    8: "august aug août aout agosto ago augustus",
    9: "september sep sept septembre septiembre set settembre setembro",
    10: "october oct oktober octobre octubre ottobre ott outubro out okt",
    11: "november nov novembre noviembre novembro",
    12: "december dec dezember décembre decembre diciembre dic dicembre dez dezembro",
}
# Russian and Ukrainian month names as dates write them ("15 августа 2016").
_MONTH_NAMES_CYRILLIC = {
    1: "января январь січня",
    2: "февраля февраль лютого",
    3: "марта март березня",
    4: "апреля апрель квітня",
    5: "мая май травня",
    6: "июня июнь червня",
    7: "июля июль липня",
    8: "августа август серпня",
    9: "сентября сентябрь вересня",
    10: "октября октябрь жовтня",
    11: "ноября ноябрь листопада",
    12: "декабря декабрь грудня",
}
MONTHS = {
    name: number
    for table in (_MONTH_NAMES, _MONTH_NAMES_CYRILLIC)
    for number, names in table.items()
    for name in names.split()
}
_YEAR = r"((?:19|20)\d\d)"
# 14.06.2024 / 14.6.2024 / 14. 6. 2024
_NUMERIC = re.compile(r"(?<![\d.])(\d{1,2})\. ?(\d{1,2})\. ?" + _YEAR + r"(?!\d)")
# 2024-06-14
_ISO = re.compile(r"(?<!\d)" + _YEAR + r"-(\d\d)-(\d\d)(?!\d)")
# 14 June 2024 / 14. Juni 2024 / 14 de junio de 2024 / 7 mai 2024
_DAY_MONTH = re.compile(
    r"(?<!\d)(\d{1,2})(?:\.|er|st|nd|rd|th)? (?:de )?([^\W\d_]{3,10})\.?,? (?:de |del )?"
    + _YEAR
    + r"(?!\d)"
)
# June 14, 2024 / Jun. 14 2024
_MONTH_DAY = re.compile(r"\b([^\W\d_]{3,10})\.? (\d{1,2})(?:st|nd|rd|th)?,? " + _YEAR + r"(?!\d)")
_SPACE_RUN = re.compile(r"\s+")
# Words that introduce a modification date rather than the publication (or a forum
# member's registration: "Registriert: 18.09.2008").
_UPDATE_WORDS = re.compile(
    r"updated|last modified|aktualisiert|geändert|mis à jour|modifié|actualizado|"
    r"modificado|aggiornato|modificato|bijgewerkt|registriert|registered|joined|"
    r"mitglied seit|member since|inscrit le|inscrito",
    re.I,
)
_PATTERNS = ((_NUMERIC, "dmy"), (_ISO, "ymd"), (_DAY_MONTH, "dMy"), (_MONTH_DAY, "Mdy"))
# How far after the headline a byline date may stand (characters of visible text).
BYLINE_WINDOW = 600
# How far before the headline (a date line above it).
BYLINE_BEFORE = 200
# A UTC time this many hours from midnight may be another day where the page is read.
LOCAL_HOURS = 10
# A UTC time on the hour from this hour on is local midnight of the next day east of UTC.
MIDNIGHT_FROM_HOUR = 20


def day_as_written(value: str) -> str | None:
    """An ISO date (or datetime) for a structured date value, keeping the page's day.

    >>> day_as_written("2022-05-03T22:41:00-04:00"), day_as_written("Wed, 04 May 2022")
    ('2022-05-03T22:41:00-04:00', '2022-05-04')
    """
    iso = normalize_date(value)
    if iso:
        return iso
    return find_written_date(value)


def find_written_date(text: str, today: date | None = None, last: bool = False) -> str | None:
    """The first (or ``last``) date written out in ``text`` (numeric, ISO or with a
    month name); dates introduced as updates ("Aktualisiert am ...") are skipped.

    >>> find_written_date("Von Anna Berg, 7. März 2024, 10:00 Uhr")
    '2024-03-07'
    >>> find_written_date("Updated June 20, 2024 | By Rob Smith | June 14, 2024")
    '2024-06-14'
    >>> find_written_date("no date")
    """
    found = written_dates(text, today)
    if not found:
        return None
    return found[-1][1] if last else found[0][1]


def written_dates(text: str, today: date | None = None) -> list[tuple[int, str]]:
    """``(position, ISO day)`` of every date written in ``text``, in order, without
    those introduced as updates."""
    text = _SPACE_RUN.sub(" ", text)
    found: dict[int, str] = {}
    for pattern, order in _PATTERNS:
        for match in pattern.finditer(text):
            day = _to_date(match.groups(), order, today)
            if day and not _UPDATE_WORDS.search(text[max(0, match.start() - 28) : match.start()]):
                found.setdefault(match.start(), day)
    return sorted(found.items())


def _to_date(groups: Sequence[str], order: str, today: date | None) -> str | None:
    values: dict[str, int] = {}
    for part, key in zip(groups, order, strict=True):
        if key == "M":
            month = MONTHS.get(part.casefold().rstrip("."))
            if month is None:
                return None
            values["m"] = month
        else:
            values[key] = int(part)
    try:
        found = date(values["y"], values["m"], values["d"])
    except ValueError:
        return None
    if found > (today or date.today()):
        return None
    return found.isoformat()


def page_date(
    structured: Sequence[str],
    before: str = "",
    after: str = "",
    weak: Sequence[str] = (),
    updated: Sequence[str] = (),
) -> str | None:
    """The publication date from the page's structured values (best first) and the
    visible text ``before`` and ``after`` its headline (where bylines stand).

    The first structured value wins when its day is written near the headline too.
    Otherwise the byline's date (the one nearest the headline) wins when the page's
    data states that day as well (a second publication value, a generic date tag, the
    last change), or when the structured value is a UTC time that is the byline's day
    somewhere near UTC: the page's readers saw that day. A UTC time on the hour late
    in the evening is a local midnight east of UTC (the next day). Without structured
    values the byline date is taken, then the ``weak`` values (generic date tags,
    often the last change).

    >>> page_date(["not a date", "2024-06-14T09:00:00+02:00"])
    '2024-06-14T09:00:00+02:00'
    >>> page_date(["2022-05-04T02:41:00Z"], after="Ana Ruiz 3 de mayo de 2022 ...")
    '2022-05-03'
    >>> page_date([], before="Politik 14. Februar 2012 Drucken", after="Rom verwarf am Dienstag")
    '2012-02-14'
    >>> page_date(["2021-11-29T15:13:37"], after="Chefredakteur 12.01.2022", updated=["2022-01-12"])
    '2022-01-12'
    """
    near_before = written_dates(before[-BYLINE_BEFORE:])
    near_after = written_dates(after[:BYLINE_WINDOW])
    byline = _nearest(len(before[-BYLINE_BEFORE:]), near_before, near_after)
    days = (day_as_written(value) for value in structured)
    first = next((day for day in days if day and _plausible(day)), None)
    shown = {day for _, day in [*near_before, *near_after]}
    if byline and first and first[:10] not in shown:
        if byline in _days([*structured, *weak, *updated]):
            return byline
        if _is_utc(first) and _local_day_may_be(first, byline):
            return byline
    if first:
        return _local_midnight(first) or first
    if byline:
        return byline
    for value in weak:
        found = day_as_written(value)
        if found and _plausible(found):
            return found
    return None


def _local_day_may_be(utc: str, day: str) -> bool:
    """Whether a UTC time falls on ``day`` somewhere within ten hours of UTC (the day
    before before 10:00, the day after from 14:00).

    >>> _local_day_may_be("2022-05-04T02:41:00+00:00", "2022-05-03")
    True
    >>> _local_day_may_be("2023-10-30T13:01:18+00:00", "2023-10-31")
    False
    """
    try:
        moment = datetime.fromisoformat(utc)
        wanted = date.fromisoformat(day)
    except ValueError:
        return False
    if wanted == moment.date() - timedelta(days=1):
        return moment.hour < LOCAL_HOURS
    if wanted == moment.date() + timedelta(days=1):
        return moment.hour >= 24 - LOCAL_HOURS
    return False


def _local_midnight(utc: str) -> str | None:
    """The next day for a UTC time on the hour from 20:00: a date without a time stored
    as local midnight east of UTC (``2022-11-06T23:00:00Z`` is the 7th in Berlin).

    >>> _local_midnight("2022-11-06T23:00:00+00:00"), _local_midnight("2022-11-06T23:04:00Z")
    ('2022-11-07', None)
    """
    if not _is_utc(utc):
        return None
    try:
        moment = datetime.fromisoformat(utc.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.hour < MIDNIGHT_FROM_HOUR or moment.minute or moment.second or moment.microsecond:
        return None
    return (moment.date() + timedelta(days=1)).isoformat()


def _days(values: Sequence[str]) -> set[str]:
    """The calendar days of structured date values."""
    days = (day_as_written(value) for value in values)
    return {day[:10] for day in days if day and _plausible(day)}


def _nearest(
    before_chars: int, before: list[tuple[int, str]], after: list[tuple[int, str]]
) -> str | None:
    """The written date nearest the headline: ``before`` are the dates (position, day)
    in the ``before_chars`` characters before it, ``after`` those after it."""
    candidates = [(before_chars - pos, day) for pos, day in before]
    candidates += after
    return min(candidates)[1] if candidates else None


def _is_utc(iso: str) -> bool:
    return iso.endswith(("+00:00", "Z"))


def _plausible(iso: str) -> bool:
    """Not in the future (a scheduled or mistyped date) and not before the web."""
    return "1995-01-01" <= iso[:10] <= date.today().isoformat()


def parse_any_date(text: str | None) -> str | None:
    """A date in any common language and format (for feeds), or ``None``.

    Plain formats are read directly; anything else goes through ``dateparser``.

    >>> parse_any_date("Seg, 24 Set 2018 10:00:00 -0300")
    '2018-09-24T10:00:00-03:00'
    """
    if not text or not text.strip():
        return None
    found = normalize_date(text)
    if found:
        return found
    import dateparser

    try:
        parsed: datetime | None = dateparser.parse(
            text.strip()[:200], settings={"PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": True}
        )
    except Exception:  # dateparser raises on odd input (overflow, bad offsets)
        parsed = None
    if parsed is None:
        return find_written_date(text)
    return parsed.isoformat()
