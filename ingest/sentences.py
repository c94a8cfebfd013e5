"""Sentence spans with character offsets, for chunking, evidence and citations.

A rule-based splitter tuned for news prose: it needs no downloaded data (nltk punkt
and spaCy models fetch theirs on first use, which fails offline), it is fast enough
for millions of characters, and it returns exact offsets so every quote can be
traced back to the article body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Abbreviations that end with a period but rarely end a sentence in news text.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr vs etc e.g i.e u.s u.k u.n inc ltd co corp gen gov
    sen rep col lt sgt capt cmdr adm maj rev hon pres no nos fig approx dept est
    jan feb mar apr jun jul aug sep sept oct nov dec a.m p.m mt ft ave blvd""".split()
)
# "No." abbreviates "number" only before a number ("No. 1"); "He said no. Then" ends.
_NUMBER_ABBREVIATIONS = frozenset({"no", "nos"})
# Abbreviations that often end a sentence too ("... Apple Inc. The company ..."): they
# end one when the next word is a typical sentence opener.
_FINAL_ABBREVIATIONS = frozenset("inc ltd corp co etc a.m p.m jr sr u.s u.k u.n".split())
_OPENERS = frozenset(
    """the a an he she it they we i you this that these those there here his her its
    their our but and or so yet if when while after before as in on at for from
    however meanwhile still what why how who""".split()
)
# Every pattern here runs in linear time on any text: a match may only start where its
# run of whitespace or stops starts (the lookbehinds), and possessive quantifiers
# (``*+``, ``++``) never give back what they took. Without them a line of 64,000 dots
# took a minute (every dot started a scan to the end of the run).
_NEXT_WORD = re.compile(r"""(?<!\s)\s*+["'“‘(\[]?([A-Za-z]++)""")
_NEXT_DIGIT = re.compile(r"(?<!\s)\s*+\d")
# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace, at a line break, or at a full stop of Chinese/Japanese (。！？, no space
# follows them), Hindi (।), Arabic and Urdu (؟ ۔), Armenian (։) or Ethiopic (።).
_BOUNDARY = re.compile(
    r"""(?<![.!?…])[.!?…]++["'”’)\]»]*+(?=\s)|\n"""
    r"""|(?<![。！？।؟۔։።])[。！？।؟۔։።]++["'”’)\]」』»]*+"""
)
_ALWAYS_ENDS = frozenset("。！？।؟۔։።")
_OPENING = "\"'“‘([«„「『"


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences in ``text[start:end]``, whitespace trimmed.

    >>> t = "Mr. Smith went to Washington. He met the U.S. president! Then he left."
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['Mr. Smith went to Washington.', 'He met the U.S. president!', 'Then he left.']
    """
    end = len(text) if end is None else end
    return list(_iter_spans(text, start, end))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see :func:`sentence_spans`)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def _iter_spans(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        cut = match.end()
        if match.group() != "\n" and not _is_sentence_end(text, match.start(), cut, end):
            continue
        yield from _trimmed(text, cursor, cut)
        cursor = cut
    yield from _trimmed(text, cursor, end)


def _is_sentence_end(text: str, dot: int, cut: int, end: int) -> bool:
    if text[dot] in _ALWAYS_ENDS:
        return True
    if text[dot] == ".":
        word_start = dot
        while word_start > 0 and not text[word_start - 1].isspace():
            word_start -= 1
        word = text[word_start:dot].lstrip("\"'“‘([").lower()
        if word in _NUMBER_ABBREVIATIONS:
            if _NEXT_DIGIT.match(text, cut, end):
                return False
        elif word in _FINAL_ABBREVIATIONS:
            following = _NEXT_WORD.match(text, cut, end)
            opener = following.group(1) if following else ""
            return opener[:1].isupper() and opener.lower() in _OPENERS
        elif word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False
    return _starts_sentence(text, cut, end)


def _starts_sentence(text: str, at: int, end: int) -> bool:
    """Whether a sentence can start at ``at``: after whitespace and an opening quote,
    a digit, a capital of any script (Latin, Cyrillic, Greek ...) or a letter of a
    script without case (Arabic, Hebrew, Devanagari, CJK); not a lower-case letter.

    >>> [_starts_sentence(t, 0, len(t)) for t in (" Путин", " «Он", " etc", " 七国")]
    [True, True, False, True]
    """
    i = at
    while i < end and text[i].isspace():
        i += 1
    if i < end and text[i] in _OPENING:
        i += 1
    if i >= end:
        return False
    ch = text[i]
    return ch.isdigit() or ch.isupper() or (ch.isalpha() and not ch.islower())


def _trimmed(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        yield (a, b)
