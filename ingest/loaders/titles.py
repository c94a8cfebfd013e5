"""The article's headline: the visible ``h1`` when it agrees with the page's metadata,
else the metadata title without the outlet's name or an appended date.

A metadata title that the page never shows (a CMS placeholder such as ``escenic``, a
social-media variant) loses to the ``h1``; an ``h1`` that only names the site (a logo
heading) loses to the metadata.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from ingest.article import host_of

# What sites put between the headline and their name ("Title | Site", "Site » Title").
_SEPARATORS = (" | ", " || ", " - ", " – ", " — ", " :: ", " · ", " • ", " » ", " › ", " : ")
# A trailing segment that is only a date or time ("… | DW | 12.03.2013", "06.11.2023, 11.41 Uhr").
_DATE_SEGMENT = re.compile(
    r"^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}\.? [^\W\d_]{3,12}\.? \d{4})"
    r"(?:,? \d{1,2}[.:]\d{2}(?: Uhr| h)?)?$"
)
# A date glued before a heading by the page's markup ("27.01.2022MineralölINFO").
_GLUED_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}(?=[^\W\d_])")
# A kicker above a headline has at most this many words; the headline at least that.
MAX_KICKER_WORDS = 5
MIN_KICKED_WORDS = 3
# An h1 (or title) this similar to another title is taken for the same headline.
SAME_HEADLINE = 0.6


def normalise(text: str | None) -> str:
    """Case-folded words without punctuation (for comparing titles and names).

    >>> normalise("Harbour „Reopens“ — Tide!")
    'harbour reopens tide'
    """
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_WORD_CHARS).split())


class _WordChars(dict[int, str]):
    """A ``str.translate`` table, filled as characters are met: punctuation, symbols,
    separators and controls become spaces, everything else stays."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        value = " " if unicodedata.category(char)[0] in "PSZC" else char
        self[code] = value
        return value


_WORD_CHARS = _WordChars()


def host_names(url: str | None) -> list[str]:
    """Names a site's host stands for: ``www.tegernseerstimme.de`` -> the host and its
    main label (``tegernseerstimme``), for recognising the site's name in a title.

    >>> host_names("https://www.dw.com/en/x")
    ['dw.com', 'dw']
    """
    host = host_of(url)
    if not host:
        return []
    labels = host.split(".")
    main = labels[-3] if len(labels) >= 3 and labels[-2] in ("co", "com", "org") else labels[-2:][0]
    return [host, main]


def is_site_name(segment: str, sites: Sequence[str]) -> bool:
    """Whether a title segment only names the site (or its host).

    >>> is_site_name("WILD UND HUND", ["Wild und Hund"]), is_site_name("Brexit", ["BBC"])
    (True, False)
    """
    seg = normalise(segment)
    if not seg:
        return True
    squeezed = seg.replace(" ", "")
    for site in sites:
        name = normalise(site)
        if not name:
            continue
        flat_name = name.replace(" ", "")
        if squeezed == flat_name or (len(flat_name) >= 4 and flat_name in squeezed.split()):
            return True
        if len(flat_name) >= 4 and (squeezed.startswith(flat_name) or flat_name in squeezed):
            # "Tagesspiegel" in "Der Tagesspiegel", "dw" is too short to count
            return len(squeezed) <= len(flat_name) + 12
    return False


def _segments(title: str) -> list[tuple[str, str]]:
    """``(separator before, text)`` parts of a title, split at outlet separators."""
    parts = [("", title)]
    for sep in _SEPARATORS:
        split: list[tuple[str, str]] = []
        for before, text in parts:
            pieces = text.split(sep)
            split.append((before, pieces[0]))
            split += [(sep, p) for p in pieces[1:]]
        parts = split
    return [(sep, text.strip()) for sep, text in parts if text.strip()]


def strip_site(title: str, sites: Sequence[str]) -> str:
    """``title`` without the site's name (at either end) or a date appended to it.

    >>> strip_site("Harbour reopens - Tide News | Weather, Sports", ["Tide News"])
    'Harbour reopens'
    >>> strip_site("Floods in Asia | DW | 12.03.2013", ["dw.com", "dw"])
    'Floods in Asia'
    >>> strip_site("Ehezoff eskaliert - Jetzt schießt Olli", [])
    'Ehezoff eskaliert - Jetzt schießt Olli'
    """
    title = " ".join(title.split())
    parts = _segments(title)
    if len(parts) < 2:
        return title
    # "WSVN 7News | Miami News, Weather, Sports": each part of a site name names it.
    sites = [*sites, *(text for site in sites for _, text in _segments(site))]
    while len(parts) > 1 and (_names_site(parts[0][1], sites) or _DATE_SEGMENT.match(parts[0][1])):
        parts = [("", parts[1][1]), *parts[2:]]
    # Cut at the first segment naming the site, or a date: the rest is the outlet's.
    for i, (_, text) in enumerate(parts[1:], 1):
        if _names_site(text, sites) or _DATE_SEGMENT.match(text):
            parts = parts[:i]
            break
    title = "".join(sep + text for sep, text in parts)
    # Pipes part a headline from sections and site names ("Local News | Headline |
    # Site"): the longest part is the headline.
    pieces = [p.strip() for p in title.replace(" || ", " | ").split(" | ") if p.strip()]
    return max(pieces, key=len) if pieces else title


def _names_site(segment: str, sites: Sequence[str]) -> bool:
    return is_site_name(segment, sites) or looks_like_domain(segment)


def looks_like_domain(text: str) -> bool:
    """``www.Example.de`` and ``example.com`` name a site, not a headline.

    >>> looks_like_domain("www.AussenGedanken.de"), looks_like_domain("Web 2.0")
    (True, False)
    """
    text = text.strip().lower()
    if " " in text or "." not in text:
        return False
    stem, tld = text.rsplit(".", 1)
    return tld.isascii() and tld.isalpha() and 2 <= len(tld) <= 6 and bool(stem.strip("."))


def similar(a: str, b: str) -> bool:
    """Whether two titles are the same headline (one contains most of the other).

    >>> similar("Harbour reopens", "Harbour reopens: live"), similar("News", "Harbour")
    (True, False)
    """
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return False
    short, long_ = sorted((na, nb), key=len)
    return short in long_ and len(short) >= SAME_HEADLINE * len(long_)


def choose_title(
    headings: Sequence[str],
    meta_titles: Sequence[str],
    sites: Sequence[str],
    visible: str,
) -> str | None:
    """The headline, from the page's ``h1`` texts, its metadata titles (structured
    first, ``<title>`` last), the site's names and the page's visible text.

    >>> choose_title(["Harbour reopens"], ["escenic"], [], "Harbour reopens. Ships ...")
    'Harbour reopens'
    >>> choose_title(["Tide"], ["Harbour reopens | Tide"], ["Tide"], "Tide Harbour reopens")
    'Harbour reopens'
    """
    cleaned = [strip_site(t, sites) for t in meta_titles]
    headings = [strip_site(_GLUED_DATE.sub("", h), sites) for h in headings]
    # An h1 that names the site, or is the tail of the <title> (the outlet's part).
    # The site's name at the end of a "Long headline | Site" (not "News - Headline").
    tails_of = [_site_tail(raw) for raw in meta_titles]
    tails = [text for parts in tails_of for text in parts]
    candidates = [
        h for h in headings if not is_site_name(h, sites) and not _in(h, tails) and _words(h) >= 1
    ]
    for heading in candidates:
        for title in cleaned:
            if _is_kicker_of(heading, title):
                return title  # "Covid-19: Is the spread under control?" -> the headline
        pairs = zip(cleaned, meta_titles, strict=True)
        if any(similar(heading, c) or similar(heading, raw) for c, raw in pairs):
            return heading
    flat_visible = normalise(visible)
    # A title that is another title's tail names the site ("Coastal Times" from the h1
    # beside "Harbour reopens | Coastal Times").
    named = [
        t
        for i, t in enumerate(cleaned)
        if not is_site_name(t, sites)
        and not any(_in(t, parts) for j, parts in enumerate(tails_of) if j != i)
    ]
    for title in named:
        if normalise(title) in flat_visible:
            return title
    real = [h for h in candidates if _words(h) >= 2]
    if real:
        return real[0]
    return named[0] if named else None


def _is_kicker_of(heading: str, title: str) -> bool:
    """Whether ``heading`` is a kicker ("Covid-19:", "Tunesien") followed by ``title``."""
    head, tail = normalise(heading), normalise(title)
    return (
        len(tail.split()) >= MIN_KICKED_WORDS
        and len(head) > len(tail)
        and head.endswith(" " + tail)
        and len(head.split()) - len(tail.split()) <= MAX_KICKER_WORDS
    )


def _site_tail(title: str) -> list[str]:
    """The last part of ``title`` when what precedes it is longer (the headline)."""
    parts = _segments(title)
    if len(parts) > 1 and _words(parts[0][1]) > _words(parts[-1][1]):
        return [parts[-1][1]]
    return []


def _in(text: str, values: Iterable[str]) -> bool:
    norm = normalise(text)
    return any(norm == normalise(v) for v in values)


def _words(text: str) -> int:
    return len(normalise(text).split())
