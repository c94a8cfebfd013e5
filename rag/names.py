"""Give people their full names: "Kelce" in an answer becomes "Travis Kelce".

Articles introduce a person once in full and then by surname; small models copy the
surname. When the retrieved passages name exactly one "Firstname Surname" for a
surname the answer uses alone, its first use is expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FULL_NAME = re.compile(r"\b([A-Z][a-z]{1,12})\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b")
_NOT_GIVEN_NAMES = frozenset(
    """The A An And But Or In On At Of For From To By With As If When While After Before
    He She It They We His Her Its Their This That These Those According Former Chief
    Mr Mrs Ms Dr Prof President Senator Judge Justice General Secretary Minister
    Prime Governor Coach Captain Sir Lord Lady New North South East West United
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday""".split()
)


def full_names(texts: Iterable[str]) -> dict[str, str]:
    """Surname -> the one full name the texts give for it (ambiguous surnames left out).

    >>> full_names(["Travis Kelce caught it. Kelce said so.", "Taylor Swift sang."])
    {'Kelce': 'Travis Kelce', 'Swift': 'Taylor Swift'}
    """
    seen: dict[str, set[str]] = {}
    for text in texts:
        for given, surname in _FULL_NAME.findall(text):
            if given not in _NOT_GIVEN_NAMES:
                seen.setdefault(surname, set()).add(f"{given} {surname}")
    return {surname: next(iter(names)) for surname, names in seen.items() if len(names) == 1}


def expand_surnames(answer: str, texts: Iterable[str]) -> str:
    """``answer`` with the first lone use of each known surname given in full.

    >>> expand_surnames("Bankman-Fried did it.", ["Sam Bankman-Fried founded FTX."])
    'Sam Bankman-Fried did it.'
    >>> expand_surnames("Sam Bankman-Fried did it.", ["Sam Bankman-Fried founded FTX."])
    'Sam Bankman-Fried did it.'
    """
    names = full_names(texts)
    done: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        before = answer[: match.start()].rstrip()
        given = names[word].split()[0]
        if word in done or before.endswith(given) or re.search(r"[A-Z][\w.]*$", before):
            done.add(word)
            return word
        done.add(word)
        return names[word]

    if not names:
        return answer
    pattern = r"(?<![\w-])(" + "|".join(re.escape(s) for s in names) + r")(?![\w-])"
    return re.sub(pattern, replace, answer)
