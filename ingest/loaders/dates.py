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
from datetime import date, datetime

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
MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names.split()}
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
# Words that introduce a modification date rather than the publication.
_UPDATE_WORDS = re.compile(
    r"updated|last modified|aktualisiert|geändert|mis à jour|modifié|actualizado|"
    r"modificado|aggiornato|modificato|bijgewerkt",
    re.I,
)
_PATTERNS = ((_NUMERIC, "dmy"), (_ISO, "ymd"), (_DAY_MONTH, "dMy"), (_MONTH_DAY, "Mdy"))
# How far after the headline a byline date may stand (characters of visible text).
BYLINE_WINDOW = 600
# How far before the headline (a date line above it).
BYLINE_BEFORE = 200


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
    structured: Sequence[str], before: str = "", after: str = "", weak: Sequence[str] = ()
) -> str | None:
    """The publication date from the page's structured values (best first) and the
    visible text ``before`` and ``after`` its headline (where bylines stand).

    A structured value wins, except that a UTC time one day off the byline's date gives
    way to the byline: the page's readers saw that day. Without structured values the
    byline date nearest the headline is taken (after it, or just before it), then the
    ``weak`` values (generic date tags, often the last change).

    >>> page_date(["not a date", "2024-06-14T09:00:00+02:00"])
    '2024-06-14T09:00:00+02:00'
    >>> page_date(["2022-05-04T02:41:00Z"], after="Ana Ruiz 3 de mayo de 2022 ...")
    '2022-05-03'
    >>> page_date([], before="Politik 14. Februar 2012 Drucken", after="Rom verwarf am Dienstag")
    '2012-02-14'
    """
    byline = _nearest(before[-BYLINE_BEFORE:], after[:BYLINE_WINDOW])
    for value in structured:
        found = day_as_written(value)
        if found and _plausible(found):
            if byline and _is_utc(found) and _days_apart(found, byline) == 1:
                return byline
            return found
    if byline:
        return byline
    for value in weak:
        found = day_as_written(value)
        if found and _plausible(found):
            return found
    return None


def _nearest(before: str, after: str) -> str | None:
    """The written date nearest the headline, which stands between ``before`` and
    ``after``."""
    candidates = [(len(before) - pos, day) for pos, day in written_dates(before)]
    candidates += [(pos, day) for pos, day in written_dates(after)]
    return min(candidates)[1] if candidates else None


def _is_utc(iso: str) -> bool:
    return iso.endswith(("+00:00", "Z"))


def _days_apart(a: str, b: str) -> int:
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)
    except ValueError:
        return -1


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
