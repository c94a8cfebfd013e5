"""Author names as bylines and metadata give them, cleaned of their framing.

``By Anna Berg``, ``Von Anna Berg``, ``Zeige alle Beiträge von Anna Berg`` and
``责任编辑：Anna Berg`` all name Anna Berg; a name that is the outlet's own ("CNN",
"Redaktion Tide") is dropped when a person is named beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ingest.loaders.titles import is_site_name, normalise

# Words that introduce a name in a byline (matched case-insensitively, whole words).
_PREFIX = re.compile(
    r"^(?:(?:zeige alle beiträge von|alle beiträge von|beitrag von|posted by|written by|"
    r"geschrieben von|publié par|publicado por|scritto da|text|texto|autor(?:in)?|auteur|"
    r"veröffentlicht|publiziert|eingestellt|erstellt|published|interview|"
    r"author|by|vom|von|par|por|di|da|de|door|posted|am|on|编辑|责任编辑|作者)\b[\s:：]*)+",
    re.I,
)
_NOT_NAMES = {
    "admin",
    "administrator",
    "wordpressadmin",
    "redaktion",
    "editor",
    "staff",
    "guest",
    "posted",
    "unknown",
    "human",
}
MAX_NAME_CHARS = 80
# "Veröffentlicht vonChris Jung": a byline word glued to the name.
_GLUED = re.compile(r"(?<=\bvon)(?=[A-ZÄÖÜ])|(?<=\bby)(?=[A-Z])")
_INNER_BY = re.compile(r" (?:by|par|por) ", re.I)
_DIGITS = re.compile(r"\d")
# "By Ana Ruiz" in running text: two to four capitalised words after a byline word.
_TEXT_BYLINE = re.compile(
    r"(?:^|[\s|·,(])(?:By|by|BY|Von|von|VON|Par|par|Por|por|Di|Autor|Autorin|Text)"
    r":? ((?:[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’.-]{1,20} ){1,3}[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’-]{1,20})\b"
)
# How much of the text after the headline is searched for a byline.
BYLINE_TEXT_CHARS = 300


def clean_author(name: str) -> str | None:
    """A name without byline framing; ``None`` for what is not a name.

    >>> clean_author("Zeige alle Beiträge von Petra Ruland"), clean_author("责任编辑：孔德明")
    ('Petra Ruland', '孔德明')
    >>> clean_author("https://www.facebook.com/tide"), clean_author("admin")
    (None, None)
    """
    text = " ".join(name.split()).strip(" ,;|·-")
    if "://" in text or "@" in text or text.startswith("www."):
        return None
    text = _GLUED.sub(" ", text)
    text = _PREFIX.sub("", text).strip(" ,;|·-:")
    inner = _INNER_BY.split(text)  # "on June 4, 2020 by Ana Ruiz": the name follows "by"
    text = inner[-1].strip(" ,;|·-:") if len(inner) > 1 else text
    if _DIGITS.search(text) and " " in text:  # a date or time, not a name
        return None
    if not text or len(text) > MAX_NAME_CHARS or normalise(text) in _NOT_NAMES:
        return None
    if not any(ch.isalpha() for ch in text):
        return None
    return text


def choose_author(candidates: Iterable[str], sites: Sequence[str]) -> str | None:
    """The byline: the first source's names, cleaned, the outlet's own name dropped
    (unless it is all there is); several people are joined with ``; ``.

    >>> choose_author(["Rob Picheta; CNN"], ["CNN"])
    'Rob Picheta'
    >>> choose_author(["By Ana Ruiz, Luis Gil"], [])
    'Ana Ruiz; Luis Gil'
    """
    fallback = None
    for candidate in candidates:
        names = [clean_author(part) for part in _split_names(candidate)]
        found = list(dict.fromkeys(n for n in names if n))
        people = [n for n in found if not is_site_name(n, sites) and not _mentions(n, sites)]
        if people:
            return "; ".join(people)
        fallback = fallback or ("; ".join(found) if found else None)
    return fallback


def byline_in_text(text: str) -> str | None:
    """A name introduced as the author in visible text ("By Ana Ruiz", "Von Anna
    Berg"), from the text just after the headline.

    >>> byline_in_text("Updated today. By Ana Ruiz and Luis Gil, Coastal Times")
    'Ana Ruiz'
    """
    match = _TEXT_BYLINE.search(text[:BYLINE_TEXT_CHARS])
    return match.group(1) if match else None


def _split_names(text: str) -> list[str]:
    parts = [text]
    for sep in (";", "|", ",", " · ", " — ", " – ", "»", " und ", " and ", " y ", " et ", " & "):
        parts = [p for part in parts for p in part.split(sep)]
    return parts


def _mentions(name: str, sites: Sequence[str]) -> bool:
    """Whether a byline names the outlet ("Redacción Trome", "NOTICIAS TROME")."""
    words = normalise(name).split()
    for site in sites:
        site_words = normalise(site).split()
        if (
            site_words
            and len(site_words) < len(words) + 1
            and any(w in words for w in site_words if len(w) >= 4)
        ):
            return True
    return False
