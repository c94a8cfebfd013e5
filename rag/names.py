"""Give people their full names: "Kelce" in an answer becomes "Travis Kelce".

Articles introduce a person once in full and then by surname; small models copy the
surname. When the retrieved passages name exactly one "Firstname Surname" for a
surname the answer uses alone, in two articles or more, its first use is expanded (a
full name one article gives is too often someone else: "Ivanka Trump" for "Trump").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Possessive quantifiers (``++``, ``*+``) where what follows cannot use what they give
# back: every pattern here runs in linear time on any text.
_FULL_NAME = re.compile(r"([A-Z][a-z]{1,12}+)\s++([A-Z][a-z]++(?:-[A-Z][a-z]++)?)")
_CAPITAL_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*+(?:\s++[A-Z][\w'’-]*+)*+")
# A capitalized word after a lower-case word or a comma: not just a sentence opener.
_MID_WORD = re.compile(r"(?:[a-z,;]\s++)([A-Z][a-z]{1,12})\b")
# The text before a surname ends with a capitalized word ("Sam", "U.S."): checked on
# the last run of word characters and dots only, where "[A-Z][\w.]*$" rescanned that
# run to its end from every capital in it.
_ENDS_CAPITALIZED = re.compile(r"(?<![\w.])(?=[\w.]*+$)[\w.]*?[A-Z]")
_STARTS_CAPITALIZED = re.compile(r"[A-Z]")
_NOT_GIVEN_NAMES = frozenset(
    """The A An And But Or In On At Of For From To By With As If When While After Before
    He She It They We His Her Its Their This That These Those According Former Chief
    Mr Mrs Ms Dr Prof President Senator Judge Justice General Secretary Minister
    Prime Governor Coach Captain Sir Lord Lady New North South East West United
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Then Now Later Meanwhile
    However Still Yet Also So Here There Today Yesterday Earlier Last Next""".split()
)


def full_names(texts: Iterable[str], min_texts: int = 1) -> dict[str, str]:
    """Surname -> the one full name the texts give for it (ambiguous surnames left
    out), when at least ``min_texts`` of the texts give it.

    A name is exactly two capitalized words, not part of a longer run ("Microsoft
    Sam Altman" names nobody), whose first word also appears capitalized in the
    middle of a sentence somewhere (so "Other Google" at a sentence start is not a
    person).

    >>> full_names(["Travis Kelce caught it. Kelce said so.", "Fans cheered Travis."])
    {'Kelce': 'Travis Kelce'}
    >>> full_names(["Travis Kelce caught it. Kelce said so.", "Fans cheered Travis."], 2)
    {}
    """
    texts = list(texts)
    mid_sentence = {m.group(1) for t in texts for m in _MID_WORD.finditer(t)}
    seen: dict[str, set[str]] = {}
    given_in: dict[str, set[int]] = {}
    for number, text in enumerate(texts):
        for run in _CAPITAL_RUN.finditer(text):
            words = run.group().split()
            opener = run.start() == 0 or text[: run.start()].rstrip()[-1:] in '.!?"“'
            if opener and len(words) == 3 and words[0] in _NOT_GIVEN_NAMES:
                words = words[1:]  # "Then Sam Bankman-Fried" opens a sentence
            if len(words) != 2:
                continue
            given, surname = words
            if (
                given not in _NOT_GIVEN_NAMES
                and given in mid_sentence
                and _FULL_NAME.fullmatch(f"{given} {surname}")
            ):
                seen.setdefault(surname, set()).add(f"{given} {surname}")
                given_in.setdefault(f"{given} {surname}", set()).add(number)
    return {
        surname: full
        for surname, names in seen.items()
        if len(names) == 1 and len(given_in[full := next(iter(names))]) >= min_texts
    }


def expand_surnames(answer: str, texts: Iterable[str], min_texts: int = 1) -> str:
    """``answer`` with the first lone use of each known surname given in full (by at
    least ``min_texts`` of ``texts``, see :func:`full_names`).

    >>> texts = ["FTX founder Sam Bankman-Fried testified."]
    >>> expand_surnames("Bankman-Fried did it.", texts)
    'Sam Bankman-Fried did it.'
    >>> expand_surnames("Sam Bankman-Fried did it.", texts)
    'Sam Bankman-Fried did it.'
    """
    names = full_names(texts, min_texts)
    done: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        before = answer[: match.start()].rstrip()
        given = names[word].split()[0]
        after = answer[match.end() :].lstrip()
        if (
            word in done
            or before.casefold().endswith(given.casefold())  # "Erik ten Hag", "ten Hag"
            or _ENDS_CAPITALIZED.search(before)
            or _STARTS_CAPITALIZED.match(after)  # "Sam Altman": already a longer name
        ):
            done.add(word)
            return word
        done.add(word)
        return names[word]

    if not names:
        return answer
    pattern = r"(?<![\w-])(" + "|".join(re.escape(s) for s in names) + r")(?![\w-])"
    return re.sub(pattern, replace, answer)
