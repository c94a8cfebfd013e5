"""Score article extraction on labelled real pages (``newsqa eval-extraction``).

The labels follow trafilatura's evaluation set (github.com/adbar/trafilatura,
``tests/evaldata.json``, Apache-2.0): per page, snippets that must appear in the
article text (``with``) and boilerplate that must not (``without``), and for most
pages the title, publication date (``YYYY-MM-DD``) and author.

Snippets are scored as trafilatura's own benchmark does: a ``with`` snippet found is
a true positive, missing a false negative; a ``without`` snippet found is a false
positive. Text and snippets are compared with whitespace collapsed (an extractor's
line breaks are not a difference a reader sees). Titles and authors count as exact
when equal after case folding and removing punctuation; dates when the day matches.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Extracted:
    """What an extractor made of one page (empty text when it failed)."""

    text: str = ""
    title: str | None = None
    date: str | None = None
    author: str | None = None


@dataclass
class Score:
    """Counts over many pages, and the figures derived from them."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    fields: dict[str, list[int]] = field(default_factory=dict)  # name -> [exact, labelled]

    def add_snippets(self, text: str, must: Iterable[str], must_not: Iterable[str]) -> None:
        """Count one page's snippets against its extracted ``text``."""
        flat = _flat(text)
        for snippet in must:
            if _flat(snippet) in flat:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in must_not:
            if _flat(snippet) in flat:
                self.fp += 1
            else:
                self.tn += 1

    def add_field(self, name: str, exact: bool) -> None:
        """Count one labelled field as exact or not."""
        counts = self.fields.setdefault(name, [0, 0])
        counts[0] += int(exact)
        counts[1] += 1

    @property
    def precision(self) -> float:
        """Share of snippets found that should be there."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of wanted snippets found."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def rate(self, name: str) -> float:
        """Share of labelled pages whose ``name`` field was exact."""
        exact, total = self.fields.get(name, [0, 0])
        return exact / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Rounded figures, JSON-ready."""
        out: dict[str, Any] = {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "snippets": {"tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn},
        }
        for name, (exact, total) in sorted(self.fields.items()):
            out[f"{name}_exact"] = round(exact / total, 3) if total else None
            out[f"{name}_labelled"] = total
        return out


def _flat(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def normalise_name(text: str | None) -> str:
    """Case-folded words without punctuation, for comparing titles and authors.

    >>> normalise_name("  Tories' “Plan” — in Full! ")
    'tories plan in full'
    """
    if not text:
        return ""
    kept = (
        ch if not unicodedata.category(ch).startswith(("P", "S")) else " "
        for ch in unicodedata.normalize("NFKC", text).casefold()
    )
    return " ".join("".join(kept).split())


def score_page(score: Score, label: Mapping[str, Any], got: Extracted) -> None:
    """Add one page to ``score``: its snippets, and each labelled field.

    >>> s = Score()
    >>> score_page(s, {"with": ["a b"], "without": ["menu"], "title": "A!"},
    ...            Extracted("a\\nb", title="a"))
    >>> s.f1, s.rate("title")
    (1.0, 1.0)
    """
    score.add_snippets(got.text, label.get("with") or [], label.get("without") or [])
    if label.get("title"):
        score.add_field("title", normalise_name(label["title"]) == normalise_name(got.title))
    if label.get("date"):
        score.add_field("date", (got.date or "")[:10] == str(label["date"])[:10])
    if label.get("author"):
        score.add_field("author", normalise_name(label["author"]) == normalise_name(got.author))


def load_labels(folder: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The labelled pages of ``folder`` (``labels.jsonl`` beside ``pages/``)."""
    path = folder / "labels.jsonl"
    if not path.is_file():
        raise FileNotFoundError(f"no labels.jsonl in {folder}")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def trafilatura_default(page: Path) -> Extracted:
    """Plain ``trafilatura.extract`` (default settings) for the text and
    ``trafilatura.extract_metadata`` for title, date and author: the reference."""
    import trafilatura

    html = page.read_bytes()
    try:
        text = trafilatura.extract(html) or ""
        meta = trafilatura.extract_metadata(html)
    except Exception:  # a reference run must not stop on one page
        return Extracted()
    if meta is None:
        return Extracted(text=text)
    return Extracted(text=text, title=meta.title, date=meta.date, author=meta.author)


def score_all(
    labels: Iterable[Mapping[str, Any]], results: Mapping[str, Extracted]
) -> tuple[Score, list[dict[str, Any]]]:
    """Score every labelled page (by file name) and list each page's misses."""
    score = Score()
    misses: list[dict[str, Any]] = []
    for label in labels:
        got = results.get(label["file"], Extracted())
        page = Score()
        score_page(score, label, got)
        score_page(page, label, got)
        wrong = [name for name, (exact, _) in page.fields.items() if not exact]
        if page.fn or page.fp or wrong:
            misses.append(
                {
                    "file": label["file"],
                    "missing": page.fn,
                    "boilerplate": page.fp,
                    "wrong": {
                        name: {"got": getattr(got, name), "want": label.get(name)} for name in wrong
                    },
                }
            )
    return score, misses


def reference_results(folder: Path, labels: Iterable[Mapping[str, Any]]) -> dict[str, Extracted]:
    """trafilatura's default extraction of every labelled page."""
    return {row["file"]: trafilatura_default(folder / "pages" / row["file"]) for row in labels}


def summary_table(figures: Mapping[str, Mapping[str, Any]]) -> str:
    """A Markdown table of the figures of each extractor.

    >>> print(summary_table({"x": {"f1": 0.5}}).splitlines()[2])
    | x | - | - | 0.5 | - | - | - | - |
    """
    cols = ("precision", "recall", "f1", "title_exact", "date_exact", "author_exact", "seconds")
    lines = [
        "| extractor | " + " | ".join(cols) + " |",
        "|---" * (len(cols) + 1) + "|",
    ]
    for name, row in figures.items():
        cells = ["-" if row.get(c) is None else str(row.get(c)) for c in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


class Timer:
    """Seconds spent in a ``with`` block (``timer.seconds``)."""

    def __enter__(self) -> Timer:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
