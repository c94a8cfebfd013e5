"""``newsqa eval-extraction``: ingest labelled real pages, score what the store holds.

The pages are ingested as a user would ingest saved pages (``newsqa ingest FILES``)
into a store of their own, and each page's stored title, date, author and text is
scored (see :mod:`ingest.extraction_eval`); plain ``trafilatura.extract`` is scored on
the same pages in the same run for reference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ingest.extraction_eval import (
    Extracted,
    Timer,
    load_labels,
    reference_results,
    score_all,
    summary_table,
)
from newsqa.settings import Settings

DEFAULT_PAGES = Path("../shared/eval/realpages")


@dataclass(frozen=True)
class ExtractionEvalConfig:
    """Where the labelled pages are, where to store and write, what to compare."""

    pages: Path = DEFAULT_PAGES
    store: Path | None = None
    out: Path = Path("eval-out/extraction")
    limit: int | None = None
    reference: bool = True


def run_extraction_eval(config: ExtractionEvalConfig, settings: Settings) -> dict[str, Any]:
    """Ingest the labelled pages, score newsqa (and trafilatura), write the reports.

    Returns the summary (also written to ``OUT/summary.json`` and ``OUT/summary.md``;
    each page's misses go to ``OUT/misses.json``).

    Example:
        >>> run_extraction_eval(ExtractionEvalConfig(), settings)["newsqa"]["f1"]  # doctest: +SKIP
        0.921
    """
    labels = load_labels(config.pages, config.limit)
    store_dir = config.store or settings.home / "eval" / "extraction"
    newsqa, seconds = _newsqa_results(config.pages, labels, store_dir, settings)
    figures: dict[str, dict[str, Any]] = {}
    misses: dict[str, Any] = {}
    score, misses["newsqa"] = score_all(labels, newsqa)
    figures["newsqa"] = score.to_dict() | {"seconds": round(seconds, 1)}
    if config.reference:
        with Timer() as timer:
            reference = reference_results(config.pages, labels)
        score, misses["trafilatura"] = score_all(labels, reference)
        figures["trafilatura default"] = score.to_dict() | {"seconds": round(timer.seconds, 1)}
    summary = {"pages": len(labels), "labels": str(config.pages), "figures": figures}
    config.out.mkdir(parents=True, exist_ok=True)
    (config.out / "summary.json").write_text(json.dumps(summary, indent=2))
    (config.out / "misses.json").write_text(json.dumps(misses, indent=2, ensure_ascii=False))
    (config.out / "summary.md").write_text(
        f"Extraction on {len(labels)} labelled pages ({config.pages})\n\n"
        + summary_table(figures)
        + "\n"
    )
    return summary


def _newsqa_results(
    folder: Path, labels: list[dict[str, Any]], store_dir: Path, settings: Settings
) -> tuple[dict[str, Extracted], float]:
    """Each page's article as the store holds it after a fresh ingest (by file name),
    and the ingest's seconds."""
    from ingest.pipeline import ingest
    from ui.cli import source_options
    from vectorstore.store import Store

    store = Store(replace(settings, home=store_dir, chroma_url=None))
    paths = [str((folder / "pages" / row["file"]).resolve()) for row in labels]
    # replace=True: a better extraction of a page may be shorter than the stored one.
    report = ingest(paths, store, source_options(settings), settings.chunk_chars, replace=True)
    ids = {item.origin: item.id for item in report.inputs if item.id and item.status != "failed"}
    articles = {a.id: a for a in store.stored_articles(list(set(ids.values())))}
    results: dict[str, Extracted] = {}
    for path in paths:
        article = articles.get(ids.get(path, ""))
        if article is not None:
            results[Path(path).name] = Extracted(
                text=article.title + "\n" + article.body,
                title=article.title,
                date=article.published_at,
                author=article.author,
            )
    return results, report.seconds
