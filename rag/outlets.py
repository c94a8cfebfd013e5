"""Outlet names in questions: the one place that knows how an outlet may be written.

A stored outlet is often noisier than what people type: "World news | The Guardian",
"www.reuters.com", "The Independent - Life and Style", "Cnbc | World Business News
Leader". :func:`outlet_names` gives the names a question may use for it, and
:func:`find_outlets` finds them as words, never inside a sentence where the name is an
ordinary word ("Time is running out", "which Independent candidate", "a fortune").
"""

from __future__ import annotations

import re
from functools import lru_cache

_SEPARATORS = re.compile(r"\s[|\-–—:]\s|\s\|\s?|\|")
_TOKEN = re.compile(r"[\w&'’.]++")
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?([a-z0-9-]++)\.[a-z.]{2,12}$", re.I)
# Section names that are not the outlet ("World news | The Guardian").
_GENERIC = frozenset(
    """world news latest home breaking business sport sports tech technology politics us uk
    life style and opinion entertainment health science culture money markets
    international national local top stories live the""".split()
)
# Words after a sentence-opening single-word outlet that make it the outlet:
# "Fortune reported ...", "Time magazine says ...", "Wired's review ...".
_OUTLET_CUES = frozenset(
    """reported reports report says said wrote writes published publishes magazine
    article story piece coverage newspaper says'""".split()
)


def outlet_key(name: str) -> str:
    """Letters and digits only, case-folded: how names are compared.

    >>> outlet_key("The Wall Street Journal"), outlet_key("www.reuters.com")
    ('thewallstreetjournal', 'wwwreuterscom')
    """
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@lru_cache(maxsize=4096)
def outlet_names(source: str) -> frozenset[str]:
    """Names a question may use for the stored outlet ``source`` (surface forms).

    >>> sorted(outlet_names("World news | The Guardian"))
    ['Guardian', 'The Guardian', 'World news | The Guardian']
    >>> sorted(outlet_names("www.reuters.com"))
    ['reuters', 'www.reuters.com']
    >>> sorted(outlet_names("The Independent - Life and Style"))[:3]
    ['Independent', 'Independent - Life and Style', 'The Independent']
    """
    whole = " ".join(source.split())
    names = {whole}
    pieces = [p.strip() for p in _SEPARATORS.split(whole) if p.strip()]
    for piece in pieces:
        words = [w.casefold() for w in piece.split()]
        if words and not all(w in _GENERIC for w in words):
            names.add(piece)
    domain = _DOMAIN.match(whole)
    if domain:
        names.add(domain.group(1))
    for name in list(names):
        if name.casefold().startswith("the ") and len(name) > 6:
            names.add(name[4:])
    return frozenset(n for n in names if len(outlet_key(n)) >= 3)


def same_outlet(name: str, source: str) -> bool:
    """Whether ``name`` (as a user wrote it) means the stored outlet ``source``.

    >>> same_outlet("the guardian", "World news | The Guardian")
    True
    >>> same_outlet("Reuters", "www.reuters.com"), same_outlet("Podolyak", "Reuters")
    (True, False)
    """
    key = outlet_key(name)
    if key.startswith("the") and len(key) > 6:
        key = key[3:]
    keys = {outlet_key(n) for n in outlet_names(source)}
    return key in keys or ("the" + key) in keys


def find_outlets(question: str, sources: list[str]) -> list[tuple[int, int, str]]:
    """``(start, end, source)`` for every mention of a stored outlet in ``question``.

    A mention is a run of whole words equal to one of :func:`outlet_names`, matched
    case-insensitively but capitalised where written (so "a fortune" is not Fortune). A
    name stored with "The" and written without it must follow "the" ("in the
    Independent", not "which Independent candidate"); a one-word name opening the
    question counts only with a cue ("Fortune reported ...", not "Time is running out").
    Overlapping mentions keep the longest. Linear in the question's words.

    >>> q = "Time is running out: what did Time magazine and the Independent report?"
    >>> [(q[a:b], s) for a, b, s in find_outlets(q, ["Time", "The Independent", "Fortune"])]
    [('Time', 'Time'), ('Independent', 'The Independent')]
    """
    tokens = [
        (m.start(), m.end(), m.group().casefold().rstrip(".")) for m in _TOKEN.finditer(question)
    ]
    words = [t[2] for t in tokens]
    variants: dict[tuple[str, ...], list[tuple[str, bool, bool]]] = {}
    for source in sources:
        known = {n.casefold() for n in outlet_names(source)}
        for name in outlet_names(source):
            parts = tuple(w.casefold().rstrip(".") for w in _TOKEN.findall(name))
            if parts:
                needs_the = f"the {name}".casefold() in known and parts[0] != "the"
                variants.setdefault(parts, []).append((source, needs_the, _distinctive(name)))
    longest = max((len(v) for v in variants), default=0)
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        match = None
        for size in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(words[i : i + size])
            if key in variants:
                match = (size, variants[key])
                break
        if match is None:
            i += 1
            continue
        size, owners = match
        start, end = tokens[i][0], tokens[i + size - 1][1]
        written = question[start:end]
        after = words[i + size] if i + size < len(words) else ""
        before = words[i - 1] if i else ""
        capitalised = written[0].isupper() or written[0].isdigit()
        opener = i == 0 and size == 1 and after not in _OUTLET_CUES
        hit = False
        for source, needs_the, distinctive in owners:
            if not (capitalised or distinctive) or (opener and not distinctive):
                continue
            if not needs_the or before == "the" or size > 1:
                found.append((start, end, source))
                hit = True
        i += size if hit else 1
    return found


def _distinctive(name: str) -> bool:
    """A name no ordinary word could be: several words besides "the", a capital inside
    a word ("TechCrunch", "CNBC") or a digit. Found even when typed in lower case.

    >>> _distinctive("The Verge"), _distinctive("TechCrunch"), _distinctive("Fortune")
    (False, True, False)
    """
    words = [w for w in name.split() if w.casefold() != "the"]
    if len(words) >= 2:
        return True
    return any(c.isdigit() for c in name) or any(c.isupper() for w in words for c in w[1:])
