"""Verify each answer sentence against the articles, then cite it.

Small models do not cite reliably, so any markers the model wrote are removed and
the system decides. Each answer sentence is compared with every sentence of the
retrieved passages; the best-supported quote (plus a second one when the sentence
joins two facts) becomes a numbered :class:`Citation` quoting the article verbatim,
but only when it passes the checks:

- **facts**: every name, number and month the sentence states is in the quote, the
  sentence before it, or its article's header (title, outlet, date);
- **speaker**: when the sentence says who said something, the quote is that party's
  (a quote opening "They argue ..." is resolved by the sentence before it);
- **premises**: the question's words are in any quote retrieval found, so what a
  sentence adds to them must be in its quote too; a sentence restating the question
  ("Google is the company that ..., as The Verge and TechCrunch report") is checked
  only for what it adds ("Google"): quotes that hold it and the question's words
  (:meth:`_Matcher.premise_support`).

A sentence no quote passes is unsupported: dropped from the answer (the default),
marked, or kept uncited (see :data:`UNSUPPORTED_MODES`). Never cited to the nearest
quote.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.sentences import sentence_spans
from rag.text import (
    Sentence,
    claimed_speaker,
    header_stems,
    header_words,
    idf,
    leading_verdict,
    missing_facts,
    names,
    numbers,
    passage_sentences,
    speaker_matches,
    stems,
)
from rag.types import Citation, Passage

# Share of an answer sentence's (weighted) content words a quote must contain.
MIN_SUPPORT = 0.35
# A sentence with fewer content words than this is matched with the question too.
SHORT_CLAIM = 3
# Cosine similarity (MiniLM) a supporting quote must reach with the sentence:
# paraphrases score 0.65-0.98, unrelated sentences sharing words 0.2-0.45.
SEMANTIC_MIN = 0.5
# A second quote must add at least this many, and this share, of the words left over.
MIN_EXTRA_TERMS = 2
EXTRA_SHARE = 0.4
_WORD = re.compile(r"[\w'’-]+")
_STOPS = ".!?…"
# "Yes." is a verdict, not a claim a quote could support.
_VERDICTS = {"yes", "no"}
# Where a sentence joining several claims may be cut into clauses, each to be cited.
# Linear on any text: a break that opens with whitespace starts only where the
# whitespace does (``(?<!\s)``), and possessive quantifiers never give back what they
# took (16,000 spaces took 6 s).
_CLAUSE_BREAK = re.compile(
    r"(?<!\s)\s*+[;:]\s++|[;:]\s++|(?:,|(?<!\s))\s++(?:while|whereas|but|and)\s++|,\s++",
    re.IGNORECASE,
)
MIN_CLAUSE_TERMS = 3
# A sentence restating the question ("Google is the company at the center of ...,
# as reported by The Verge and TechCrunch") is checked only for what it adds: when at
# least this share of its content words are the question's and it adds at most
# MAX_ADDED, a quote must hold all it adds and MIN_PREMISE_TERMS of the question's words.
RESTATED_SHARE = 0.6
MAX_ADDED = 4
MIN_PREMISE_TERMS = 3
# An added name is ruled out when another name's quotes tie it to the question more
# than 1 / RIVAL_SHARE times as well.
RIVAL_SHARE = 0.6
_MODEL_MARKERS = re.compile(r"(?<!\s)\s*+\[(?:\d++(?:\s*+[,–-]\s*+\d++)*+)\]")


UNSUPPORTED_MODES = ("drop", "mark", "keep")
UNVERIFIED = "(unverified)"


@dataclass(frozen=True)
class Checks:
    """Which verification rules apply (each one a switchable pipeline step)."""

    facts: bool = True
    speaker: bool = True
    clauses: bool = True
    unsupported: str = "drop"
    # Surname -> full name the passages give ("Kelce" -> "Travis Kelce"): a quote that
    # names the surname supports the full name.
    full_names: dict[str, str] = field(default_factory=dict)
    # What a sentence adds to the question must be in its quote; a sentence restating
    # the question is checked only for what it adds (see RESTATED_SHARE).
    premises: bool = True
    # Embeds texts (the store's embedder): a quote must also mean what the sentence
    # says (cosine >= SEMANTIC_MIN), not only share its words ("China supported the
    # loan" is not "pandas on loan from Beijing returned to China": 0.36).
    embed: Callable[[list[str]], list[list[float]]] | None = None


@dataclass(frozen=True)
class Cited:
    """The answer text with ``[n]`` markers, and the citations they refer to.

    ``sentences``/``supported`` count the model's sentences and those that got a
    quote; ``dropped`` are the unsupported ones left out of ``text``; ``verdict`` is
    the opening "Yes"/"No" when there is one.
    """

    text: str
    citations: list[Citation]
    sentences: int
    supported: int
    dropped: list[str] = field(default_factory=list)
    verdict: str | None = None

    @property
    def verdict_dropped(self) -> bool:
        """The sentence holding the opening Yes/No was unsupported and left out."""
        return self.verdict is not None and any(
            _verdict(d) == self.verdict for d in self.dropped[:1]
        ) and not _verdict(self.text)

    @property
    def unverified_verdict(self) -> bool:
        """A Yes/No that no quote stands behind: it must not be shown as an answer."""
        return self.verdict is not None and self.supported == 0


def strip_markers(text: str) -> str:
    """Remove citation markers the model wrote itself.

    >>> strip_markers("It was €46 billion [1][2].")
    'It was €46 billion.'
    """
    return _MODEL_MARKERS.sub("", text)


def cite(
    answer: str,
    passages: list[Passage],
    preferred: list[Sentence] | None = None,
    checks: Checks | None = None,
    question: str = "",
) -> Cited:
    """Mark each verified sentence of ``answer`` with ``[n]``; build the citations.

    ``preferred`` sentences (the evidence the model read) win ties against other
    passage sentences. A short sentence ("20.", "Richard Teng.") is matched together
    with ``question``, which it answers.

    Example:
        >>> p = Passage("a:0", "a", "Prosecutors opened. They argue that he lied.", "T",
        ...             "Fortune", None, "2023-10-04", 0, 44)
        >>> cite("Prosecutors argue that he lied.", [p]).text
        'Prosecutors argue that he lied [1].'
        >>> cite("His lawyers argue that he lied.", [p]).text
        ''
    """
    checks = checks or Checks()
    text = strip_markers(answer).strip()
    candidates = _unique((preferred or []) + passage_sentences(passages))
    verdict = _verdict(text)
    if not text or not candidates:
        return Cited(text, [], 0, 0, verdict=verdict)
    # Header words are in every sentence of their article, so they weigh little.
    headers = {
        p.chunk_id: header_stems(p)
        for p in {c.passage.chunk_id: c.passage for c in candidates}.values()
    }
    candidate_stems = [stems(c.text) | headers[c.passage.chunk_id] for c in candidates]
    weights = idf(candidate_stems)
    known = set().union(*candidate_stems)
    match = _Matcher(candidates, candidate_stems, weights, checks, question)
    numbers: dict[tuple[str, int], int] = {}
    citations: list[Citation] = []
    pieces: list[str] = []
    dropped: list[str] = []
    cursor = 0
    spans = sentence_spans(text)
    supported = 0
    said: set[str] = set()
    for a, b in spans:
        sentence = text[a:b]
        again = " ".join(sentence.casefold().split())
        if again in said:  # a small model may repeat itself: said once is enough
            pieces.append(text[cursor:a])
            cursor = b
            continue
        said.add(again)
        claim = stems(sentence) - _VERDICTS
        chosen = []
        lead = question if len(claim) < SHORT_CLAIM else ""
        if claim and not unsupported_names(sentence, known):
            chosen = match.support(sentence, lead) or (
                match.clause_support(sentence) if checks.clauses else []
            )
        if claim and not chosen and checks.premises and question:
            chosen = match.premise_support(sentence, claim, question)
        if claim and not chosen and checks.unsupported != "keep":
            dropped.append(sentence)
            if checks.unsupported == "drop":
                pieces.append(text[cursor:a])
                cursor = b
                continue
        marks = []
        for candidate in chosen:
            key = (candidate.passage.article_id, candidate.start)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(citation_for(numbers[key], candidate))
            marks.append(f"[{numbers[key]}]")
        if claim and not chosen and checks.unsupported == "mark":
            marks.append(UNVERIFIED)
        supported += bool(chosen)
        # Markers go before the final stop ("... for Ukraine [1].") unless the sentence
        # ends inside a quotation or bracket: then after it ('... "good faith." [1]').
        tail = len(sentence) - len(sentence.rstrip(_STOPS))
        cut = b - tail if 0 < tail < len(sentence) else b
        pieces.append(text[cursor:cut])
        pieces.append((" " + " ".join(dict.fromkeys(marks))) if marks else "")
        pieces.append(text[cut:b])
        cursor = b
    pieces.append(text[cursor:])
    out = " ".join("".join(pieces).split()) if dropped else "".join(pieces).strip()
    return Cited(out, citations, len(spans), supported, dropped, verdict)


def _verdict(text: str) -> str | None:
    """The answer's opening "Yes" or "No", if it has one."""
    opening = leading_verdict(text)
    return opening[0] if opening else None


class _Matcher:
    """Finds the quotes that support a sentence and pass the checks."""

    def __init__(
        self,
        candidates: list[Sentence],
        candidate_stems: list[set[str]],
        weights: dict[str, float],
        checks: Checks,
        question: str = "",
    ) -> None:
        self.candidates = candidates
        self.candidate_stems = candidate_stems
        self.weights = weights
        self.checks = checks
        self.text_stems = [stems(c.text) for c in candidates]  # without the header
        # The question's words are in every quote retrieval found: what a sentence
        # adds to them must be in its quotes too ("Mattel responded by acknowledging the
        # errors" is not backed by "Mattel has been criticised for its new doll").
        self.asked = stems(question) if checks.premises else set()
        self._vectors: dict[str, list[float]] = {}
        # A sentence quoted verbatim is supported by the sentence it quotes.
        self._verbatim = {" ".join(c.text.split()): c for c in reversed(candidates)}

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts (vectors cached; 1.0 without an embedder)."""
        embed = self.checks.embed
        if embed is None:
            return 1.0
        missing = [t for t in (a, b) if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, embed(missing), strict=True))
        va, vb = self._vectors[a], self._vectors[b]
        return float(sum(x * y for x, y in zip(va, vb, strict=True)))

    def passes(self, sentence: str, quotes: list[Sentence], lead: str = "") -> bool:
        """Whether ``quotes`` together state every fact of ``sentence`` and the speaker
        ``sentence`` names is theirs."""
        if self.checks.facts:
            support = " ".join(
                f"{q.before} {q.text} | {header_words(q.passage)}" for q in quotes
            )
            words = set(support.split())
            support += " " + " ".join(
                full for surname, full in self.checks.full_names.items() if surname in words
            )
            if missing_facts(sentence, support):
                return False
        if self.checks.speaker and not any(speaker_matches(sentence, q) for q in quotes):
            return False
        claim = f"{lead} {sentence}".strip()
        return max(self.similarity(claim, q.text) for q in quotes) >= SEMANTIC_MIN

    def support(self, sentence: str, lead: str = "") -> list[Sentence]:
        """The best passing quote for ``sentence`` (and a second for a second fact);
        ``lead`` is the question a short sentence answers."""
        same = self._verbatim.get(" ".join(sentence.split()))
        if same is not None:
            return [same]
        wanted = stems(f"{lead} {sentence}") - _VERDICTS
        speaker = claimed_speaker(sentence) if self.checks.speaker else None
        if speaker:  # who said it is checked on its own; what was said must match
            claim = wanted - stems(speaker)
            wanted = claim if len(claim) >= 2 else wanted
        added = wanted - self.asked
        for chosen in _support(
            wanted, self.candidates, self.candidate_stems, self.text_stems, self.weights
        ):
            if self.adds_supported(added, chosen) and self.passes(sentence, chosen, lead):
                return chosen
        return []

    def adds_supported(self, added: set[str], quotes: list[Sentence]) -> bool:
        """Whether ``quotes`` hold enough (MIN_SUPPORT, IDF-weighted) of the words a
        sentence adds to the question."""
        if not added or not self.asked:
            return True
        have = set().union(*(stems(f"{q.text} {header_words(q.passage)}") for q in quotes))
        unseen = max(self.weights.values(), default=1.0)
        total = sum(self.weights.get(t, unseen) for t in added)
        return sum(self.weights.get(t, unseen) for t in added & have) >= MIN_SUPPORT * total

    def premise_support(self, sentence: str, claim: set[str], asked: str) -> list[Sentence]:
        """Quotes for a sentence that restates the question ``asked`` and adds an
        answer: each holds every name and number the sentence adds and
        MIN_PREMISE_TERMS of the question's words; the second, from another article,
        covers question words the first does not. A restatement adding no name or
        number is backed only as a verdict's reason ("Yes, both reported ..."), by two
        articles. An added name must be the one the quotes tie to the question best."""
        wanted = stems(asked)
        added = claim - wanted
        restated = len(claim & wanted) >= RESTATED_SHARE * len(claim)
        if not (restated or len(claim) < SHORT_CLAIM) or len(added) > MAX_ADDED:
            return []  # (a short sentence, "OpenAI.", answers the question alone)
        new_names = stems(" ".join(names(sentence))) - wanted
        new_numbers = numbers(sentence) - numbers(asked)
        if not (new_names or new_numbers) and _verdict(sentence) is None:
            return []
        related = [
            i for i, have in enumerate(self.text_stems) if len(wanted & have) >= MIN_PREMISE_TERMS
        ]
        pool = [
            i
            for i in related
            if new_names <= self.candidate_stems[i]
            and new_numbers <= numbers(self.candidates[i].text)
        ]
        if not pool or (new_names and not self._best_named(new_names, related, wanted)):
            return []
        first = max(pool, key=lambda i: self._overlap(i, wanted))
        rest = wanted - self.candidate_stems[first]
        article = self.candidates[first].passage.article_id
        others = [i for i in pool if self.candidates[i].passage.article_id != article]
        second = max(others, key=lambda i: self._overlap(i, rest), default=None)
        if second is None or not self._overlap(second, rest):
            return [self.candidates[first]] if new_names or new_numbers else []
        return [self.candidates[first], self.candidates[second]]

    def _overlap(self, i: int, terms: set[str]) -> float:
        """The IDF weight of the ``terms`` candidate ``i`` holds."""
        return sum(self.weights[t] for t in terms & self.candidate_stems[i])

    def _best_named(self, added: set[str], related: list[int], wanted: set[str]) -> bool:
        """Whether the quotes naming ``added`` match the question nearly as well as
        those naming anyone else (best quote per article, summed over articles; at
        least RIVAL_SHARE of the best other name's): "Wang" is no answer to "who told a
        trader ..." when the quotes say "Wang testified that Bankman-Fried told a
        trader ..." and more articles tie Bankman-Fried to the question's words
        (0.41 of his); names that go with the subject (FTX for Bankman-Fried) come close
        too, so only a clear winner rules an answer out."""

        def score(name: set[str]) -> float:
            best: dict[str, float] = {}
            for i in related:
                if name <= self.candidate_stems[i]:
                    article = self.candidates[i].passage.article_id
                    best[article] = max(best.get(article, 0.0), self._overlap(i, wanted))
            return sum(best.values())

        rivals = {  # names inside a quote (a sentence's first word may be any word)
            n
            for i in related
            for n in stems(" ".join(names(" ".join(self.candidates[i].text.split()[1:]))))
            if n not in wanted and n not in added
        }
        mine = score(added)
        return all(RIVAL_SHARE * score({n}) <= mine for n in rivals)

    def clause_support(self, sentence: str) -> list[Sentence]:
        """Quotes for a sentence joining claims from several articles ("A says X, while
        B says Y"): every clause must pass on its own, else nothing is cited."""
        parts = clauses(sentence)
        if len(parts) < 2:
            return []
        chosen: list[Sentence] = []
        for part in parts:
            found = self.support(part)
            if not found:
                return []
            chosen.append(found[0])
        return list({(c.passage.article_id, c.start): c for c in chosen}.values())


def _support(
    wanted: set[str],
    candidates: list[Sentence],
    candidate_stems: list[set[str]],
    text_stems: list[set[str]],
    weights: dict[str, float],
    tries: int = 5,
) -> list[list[Sentence]]:
    """Up to ``tries`` quote choices for a claim, best first: a quote holding enough of
    its words, plus a second quote when one sentence elsewhere holds a good part of
    what the first does not (``candidate_stems`` count the article's header,
    ``text_stems`` the sentence alone)."""
    if not wanted:
        return []
    # Words no passage contains weigh as much as the rarest words: unsupported claims.
    unseen = 1.0 + math.log(len(candidates) + 1)
    total = sum(weights.get(t, unseen) for t in wanted)
    scored = sorted(
        (
            (sum(weights[t] for t in wanted & have) / total, i)
            for i, have in enumerate(candidate_stems)
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    options: list[list[Sentence]] = []
    for score, i in scored[:tries]:
        best = candidates[i]
        if score < MIN_SUPPORT or len(wanted & text_stems[i]) < min(2, len(wanted)):
            break
        chosen = [best]
        rest = wanted - candidate_stems[i]
        need = max(MIN_EXTRA_TERMS, math.ceil(EXTRA_SHARE * len(rest)))
        if len(rest) >= need:
            j = max(range(len(candidates)), key=lambda k: len(rest & text_stems[k]))
            if j != i and len(rest & text_stems[j]) >= need:
                chosen.append(candidates[j])
        options.append(chosen)
    return options


def clauses(sentence: str) -> list[str]:
    """The clauses of ``sentence`` that each hold a claim (at least 3 content words).

    Splits at semicolons, commas and joining words ("while", "whereas", "but", "and");
    a piece too short to be a claim stays with the clause before it.

    >>> clauses("The Verge says fees rose sharply, while TechCrunch says fees fell.")
    ['The Verge says fees rose sharply', 'TechCrunch says fees fell.']
    """
    out: list[str] = []
    for piece in _CLAUSE_BREAK.split(sentence):
        if out and len(stems(out[-1]) - _VERDICTS) < MIN_CLAUSE_TERMS:
            out[-1] = f"{out[-1]} {piece}"
        elif piece.strip():
            out.append(piece.strip())
    if len(out) > 1 and len(stems(out[-1]) - _VERDICTS) < MIN_CLAUSE_TERMS:
        out[-2:] = [f"{out[-2]} {out[-1]}"]
    return out


def unsupported_names(sentence: str, known: set[str]) -> list[str]:
    """Capitalized words (not opening the sentence) that no passage mentions.

    A name the articles never mention ("Elon Musk" in an answer about FTX) means the
    sentence is not supported, however many other words it shares with a quote.

    >>> unsupported_names("The CEO is Elon Musk, said Reuters.", {"reuter", "ceo"})
    ['Elon', 'Musk']
    """
    words = _WORD.findall(sentence)[1:]
    return [
        w
        for w in words
        if w[0].isupper() and w.lower() not in _VERDICTS and not (stems(w) - {"s"}) <= known
    ]


def _unique(sentences: list[Sentence]) -> list[Sentence]:
    seen: dict[tuple[str, int], Sentence] = {}
    for s in sentences:
        seen.setdefault((s.passage.article_id, s.start), s)
    return list(seen.values())


def citation_for(n: int, s: Sentence) -> Citation:
    """Citation number ``n`` quoting sentence ``s`` verbatim."""
    p = s.passage
    return Citation(
        n=n,
        article_id=p.article_id,
        title=p.title,
        source=p.source,
        url=p.url,
        published_at=p.published_at,
        quote=s.text,
        chunk_id=p.chunk_id,
        start=s.start,
        end=s.end,
        context=s.before,
        completeness=p.completeness,
    )
