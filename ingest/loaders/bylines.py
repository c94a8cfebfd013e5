"""Author names as bylines and metadata give them, cleaned of their framing.

``By Anna Berg``, ``Von Anna Berg``, ``Zeige alle Beiträge von Anna Berg`` and
``责任编辑：Anna Berg`` all name Anna Berg; a name that is the outlet's own ("CNN",
"Redaktion Tide") is dropped when a person is named beside it.

Pages mark where a name ends: the visible text and author elements come with a line
break between text nodes, so ``von Anna Berg`` + ``Grenzen, das Fundament`` is Anna
Berg, and a byline word standing as a node of its own (``by`` + ``oz``) names the
next node.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from ingest.loaders.titles import is_site_name, normalise

# Words that introduce a name in a byline (matched case-insensitively, whole words).
_PREFIX = re.compile(
    r"^(?:(?:zeige alle beiträge von|alle beiträge von|beitrag von|posted by|written by|"
    r"geschrieben von|publié par|publicado por|scritto da|text|texto|autor(?:in)?|auteur|"
    r"veröffentlicht|publiziert|eingestellt|erstellt|published|interview|"
    r"author|fotos?|photos?|by|vom|von|par|por|di|da|de|door|posted|am|on|编辑|责任编辑|作者)\b[\s:：]*)+",
    re.I,
)
_NOT_NAMES = {
    "admin",
    "administrator",
    "wordpressadmin",
    "guest",
    "posted",
    "unknown",
    "human",
}
# A desk rather than a person: the author only when no one is named.
_DESKS = {"redaktion", "editor", "staff", "redacción", "rédaction", "redazione", "newsroom"}
# How organisations' names end (legal forms), normalised.
_ORGANISATION_ENDS = (" e v", " ev", " gmbh", " ag", " kg", " inc", " ltd", " llc")
MAX_NAME_CHARS = 80
# Lines joining names in a byline element ("Anna Berg" / "und" / "Max Roth").
_CONNECTORS = {",", "&", "and", "und", "et", "y", "e", "und von", "and by"}
# Degrees and titles standing on their own after a comma ("Grant Tinsley, PhD").
_DEGREES = {"phd", "ph d", "md", "m d", "dr", "prof", "msc", "mba", "mph", "rd", "rdn", "dphil"}
_NOT_NAMES_OR_DEGREES = _NOT_NAMES | _DEGREES
# "Veröffentlicht vonChris Jung": a byline word glued to the name.
_GLUED = re.compile(r"(?<=\bvon)(?=[A-ZÄÖÜ])|(?<=\bby)(?=[A-Z])")
_INNER_BY = re.compile(r" (?:by|par|por) ", re.I)
_DIGITS = re.compile(r"\d")
# "By Ana Ruiz" in running text: two to four capitalised words after a byline word. A
# capitalised byline word may stand anywhere; a lower-case one only where a byline
# starts (a new text node, after punctuation, or after "Posted", "Written", "Beitrag"):
# "das von Heiko Maas geplante Gesetz" names no author. A line break (the end of a
# text node) ends the name: "von Anna Berg" + "Grenzen ...".
_TEXT_BYLINE = re.compile(
    r"(?:(?:^|[\s|·,(])(?:By|BY|Von|VON|Par|Por|Di|Autor|Autorin|Text)"
    r"|(?:^|\n|[|·,(:–-] ?|(?i:posted|written|beitrag|geschrieben|verfasst|publicado|"
    r"escrito|écrit|publié|scritto|reported|words|text|story) )(?:by|von|par|por|di))"
    r":?[ \n]((?:[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’.-]{1,20} ){1,3}[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’-]{1,20})\b"
)
# Two to four capitalised words: a name (a group).
_NAME = r"((?:[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’.-]{1,20} ){1,3}[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’-]{1,20})"
# "11.12.2019 - Amelie Loevenich", "04.02.2022 | 13:10 Uhr | Uta Helkenberg": a text
# node that is a date (and time), then a name (one word after "von") ending the node.
_DATED_BYLINE = re.compile(
    r"(?:^|\n)\d{1,4}[./-]\d{1,2}[./-]\d{2,4}(?:,? \d{1,2}[:.]\d\d(?: Uhr| h)?)?"
    r"(?: [|·–-] \d{1,2}[:.]\d\d(?: Uhr| h)?)?(?: [|·–-]| von| by| par| por) "
    r"((?:[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’.-]{1,20} ){0,3}[A-ZÄÖÜÉÁÍÓÚČŠŽ][\w'’-]{1,20})(?=\n|$)"
)
# A byline word standing as its own text node, the name as the next node ("by" / "oz",
# "Por" / "Redacción Diario", "Erstellt von" / "Fabian"): the markup ends the name, so
# user names ("delta201") and single names count.
_NODE_BYLINE = re.compile(
    r"(?:^|\n)(?i:by|von|vom|par|por|door|autor|autorin|author|auteur|autore|text|texto|"
    r"publié par|publicado por|pubblicato da|posted by|written by|erstellt von|"
    r"geschrieben von|verfasst von|beitrag von|ein beitrag von) ?:?\n([^\n]{2,60})(?=\n|$)"
)
# A text node that is a credit: "Von Leonora Holling", "Autorin: Uta Staschewski, ...".
_CREDIT_NODE = re.compile(
    r"(?:^|\n)(?:Von|By|Par|Por|Autor|Autorin|Autoren|Author|Auteur|Autore|Text|Texto):? "
    + _NAME
    + r"(?=\n|$|,| \()"
)
# A name as a text node of its own just before the byline's date ("Kathrin Führes" /
# "am" / "Mittwoch, 26.01.2022"; a user name "MikeNils" / "18.10.2019, 15:07 Uhr").
_NAME_BEFORE_DATE = re.compile(
    r"(?:^|\n)(?:" + _NAME[1:-1] + r"|[A-Z][a-z]{1,15}[A-Z][A-Za-z0-9]{1,15})\n"
    r"(?:(?:am|on|le|el|il)\n)?(?:[^\W\d_]{2,12}\.?,? )?\d{1,2}\.\d{1,2}\.\d{2,4}"
)
# The holder in a copyright line ("Copyright (c) 2012- Gregory Szorc.", "© 2019 Anna
# Berg"): on a page naming no one else, the author of a personal site.
_COPYRIGHT = re.compile(
    r"(?:©|\([cC]\)|[cC]opyright)(?: \([cC]\)| ©)? ?(?:\d{4}(?: ?[-–] ?(?:\d{4})?)? )?(?:by )?"
    + _NAME
    + r"(?=\n|$|[.,|])"
)
# At most this many words in a name found that way.
NODE_NAME_WORDS = 5
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
    if not text or len(text) > MAX_NAME_CHARS or normalise(text) in _NOT_NAMES_OR_DEGREES:
        return None
    if not any(ch.isalpha() for ch in text):
        return None
    return text


def choose_author(
    candidates: Iterable[str], sites: Sequence[str], people_only: bool = False
) -> str | None:
    """The byline: the first source's names, cleaned, the outlet's own name dropped
    (unless it is all there is, and ``people_only`` is false); several people are
    joined with ``; ``.

    >>> choose_author(["Rob Picheta; CNN"], ["CNN"])
    'Rob Picheta'
    >>> choose_author(["By Ana Ruiz, Luis Gil"], [])
    'Ana Ruiz; Luis Gil'
    >>> choose_author(["Coastal Times"], ["Coastal Times"], people_only=True)
    """
    fallback = None
    for candidate in candidates:
        candidate = _name_run(html.unescape(candidate) if "&" in candidate else candidate)
        names = [clean_author(part) for part in _split_names(candidate)]
        found = list(dict.fromkeys(n for n in names if n))
        people = [n for n in found if not _desk(n, sites)]
        if people:
            return "; ".join(people)
        fallback = fallback or ("; ".join(found) if found else None)
    return None if people_only else fallback


def byline_in_text(text: str, sites: Sequence[str] = ()) -> str | None:
    """A person introduced as the author in visible text ("By Ana Ruiz", "Von Anna
    Berg"), from the text just after the headline; the outlet's own name is passed
    over ("By Coastal Times ... Written by: Ana Ruiz").

    >>> byline_in_text("Updated today. By Ana Ruiz and Luis Gil, Coastal Times")
    'Ana Ruiz'
    >>> byline_in_text("By Coastal Times - June 4 Written by: Ana Ruiz", ["Coastal Times"])
    'Ana Ruiz'
    """
    for match in _TEXT_BYLINE.finditer(text[:BYLINE_TEXT_CHARS]):
        if not _desk(match.group(1), sites):
            return match.group(1)
    return None


def dated_byline(before: str, after: str, sites: Sequence[str] = ()) -> str | None:
    r"""A name standing alone after a date in the text nodes next to the headline
    (``after`` it, else ``before`` it), as in ``11.12.2019 - Amelie Loevenich``.

    >>> dated_byline("", "Essay\n25.10.2022 - Reiner Nagel\nWas haben Autos ...")
    'Reiner Nagel'
    >>> dated_byline("Zucht\n04.02.2022 | 13:10 Uhr | Uta Helkenberg\n", "")
    'Uta Helkenberg'
    >>> dated_byline("", "Stars\n06.11.2023 13:30 von Olga\nSymbolbild")
    'Olga'
    """
    for text in (after[:BYLINE_TEXT_CHARS], before[-BYLINE_TEXT_CHARS:]):
        for match in _DATED_BYLINE.finditer(text):
            if not _desk(match.group(1), sites):
                return match.group(1)
    return None


def node_byline(text: str, sites: Sequence[str] = ()) -> str | None:
    r"""A name in the text node after a byline word that is a node of its own
    (``text`` has a line break between text nodes).

    >>> node_byline("Metal Vocalists of All Time\nby\noz\non\nDecember 4, 2006")
    'oz'
    >>> node_byline("Seguridad\nPor\nRedacción Diario\nmartes, 3 de mayo de 2022")
    'Redacción Diario'
    """
    for match in _NODE_BYLINE.finditer(text):
        name = clean_author(match.group(1))
        if name and len(name.split()) <= NODE_NAME_WORDS and not _desk(name, sites):
            return name
    return None


def credit_node(text: str, sites: Sequence[str] = ()) -> str | None:
    r"""A name in a text node that starts with a byline word ("Von Leonora Holling",
    "Autorin: Uta Staschewski, Projektleiterin"), anywhere in ``text``.

    >>> credit_node("Reformen voranzutreiben.\nAutorin: Uta Staschewski, Projektleiterin.")
    'Uta Staschewski'
    """
    for match in _CREDIT_NODE.finditer(text):
        if not _desk(match.group(1), sites):
            return match.group(1)
    return None


def name_before_date(before: str, after: str, sites: Sequence[str] = ()) -> str | None:
    r"""A name standing as a text node just before the byline's date, after the
    headline (else before it).

    >>> name_before_date("", "Waldwege gesperrt\nKathrin Führes\nam\nMittwoch, 26.01.2022")
    'Kathrin Führes'
    """
    for text in (after[:BYLINE_TEXT_CHARS], before[-BYLINE_TEXT_CHARS:]):
        for match in _NAME_BEFORE_DATE.finditer(text):
            name = match.group(0).lstrip("\n").split("\n")[0]
            if clean_author(name) and not _desk(name, sites):
                return name
    return None


def copyright_holder(text: str, sites: Sequence[str] = ()) -> str | None:
    r"""The person a copyright line names ("Copyright (c) 2012- Gregory Szorc.").

    >>> copyright_holder("testing\nCopyright (c) 2012- Gregory Szorc. All rights reserved.")
    'Gregory Szorc'
    >>> copyright_holder("© 2023 Coastal Times Media", ["Coastal Times"])
    """
    for match in _COPYRIGHT.finditer(text):
        if not _desk(match.group(1), sites):
            return match.group(1)
    return None


def _desk(name: str, sites: Sequence[str]) -> bool:
    """Whether a byline names the outlet, its desk or an organisation rather than a
    person ("Redaktion", "Hanns-Seidel-Stiftung e.V.")."""
    words = normalise(name)
    return (
        words in _DESKS
        or words.endswith(_ORGANISATION_ENDS)
        or is_site_name(name, sites)
        or _mentions(name, sites)
    )


def _name_run(text: str) -> str:
    """The names at the start of a byline element's text nodes (one a line): from the
    first line that is a name, with further names joined by "and" or a comma, up to the
    first other line ("am Samstag, 19. Oktober", "Kontakt", "vor 5 Stunden").

    >>> _name_run("Von\\nDr.\\nAnna Berg\\nund\\nMax Roth\\nam Samstag, 19. Oktober 2019")
    'Dr. Anna Berg und Max Roth'
    """
    framing = _PREFIX.match(text.replace("\n", " "))  # "Beitrag" / "von" / "r23"
    if framing and text[framing.end() - 1 : framing.end()] == "\n":
        text = text[framing.end() :]
    run: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if run and line.lower() in _CONNECTORS:
            run.append(line)
        elif not run or run[-1].lower() in _CONNECTORS or run[-1].endswith("."):
            # a name starts the run, follows "and", or follows a title ("Dr.")
            named = any(clean_author(part) for part in _split_names(line))
            if named or normalise(line) in _DEGREES:
                run.append(line)
            elif run:
                break
        else:
            break
    while run and run[-1].lower() in _CONNECTORS:
        run.pop()
    return " ".join(run) if run else text.replace("\n", " ")


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
