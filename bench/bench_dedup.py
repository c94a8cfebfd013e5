"""Story grouping benchmark (issue 12, part 2): is a re-published wire story one story?

The set: every MultiHop-RAG article (609, each its own story), plus lightly edited
copies of some of them, as another outlet would re-publish a wire story:

* ``headline``: a new headline and a dateline before the body;
* ``trim``: the last 10-30 % of the paragraphs cut, and one paragraph in the middle;
* ``boilerplate``: one to three outlet lines added (newsletter, "originally published
  by", copyright) at the top and the bottom;
* ``reword``: two to five sentences reworded (words dropped and replaced);
* ``combined``: all of the above at once.

Negatives are the other articles: different stories, many on the same topic (609
articles from six categories; the hardest pairs, each article with its most similar
other article, are listed with their similarity).

1. **Grouping, end to end.** All articles and copies go, in a random order, through
   :class:`ingest.dedup.StoryMatcher` as at ingest (each joins the story of its best
   match at or above the threshold, else starts its own). Precision and recall of
   "same story" over all pairs of items: a pair is truly one story when both come
   from the same article.
2. **The threshold.** Estimated Jaccard similarity of each (article, copy) pair and of
   each article's hardest negative, swept over thresholds.
3. **The cost.** A subset ingested into a real store (ONNX embedder): the time the
   story check took inside those writes (signatures, matching, reading and saving
   signatures) against the whole ingest, and the check alone on the same articles.

    .venv/bin/python bench/bench_dedup.py            # writes bench/results/dedup.json
    .venv/bin/python bench/bench_dedup.py --no-ingest  # parts 1 and 2 only (seconds)

Data: MultiHop-RAG (Tang & Yang, COLM 2024), ODC-BY 1.0.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CORPUS, CREDIT, WORK, write_result

from ingest.article import Article
from ingest.dedup import DEFAULT_THRESHOLD, StoryMatcher, shingles, signature, similarity

SEED = 12
COPIES = 400  # edited copies, spread evenly over the five kinds
KINDS = ("headline", "trim", "boilerplate", "reword", "combined")
THRESHOLDS = [round(0.05 * i, 2) for i in range(2, 19)]
INGEST_ORIGINALS = 120  # articles ingested for the cost measure (plus their copies)
BOILERPLATE = [
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "This article was originally published by {outlet} and is republished with permission.",
    "Copyright 2023 {outlet}. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "Follow us on social media for the latest news and updates from our newsroom.",
    "Related coverage: read more stories like this one in our news section.",
]
DATELINES = ["NEW YORK (Wire) —", "LONDON (Wire) —", "WASHINGTON (Wire) —", "SYDNEY (Wire) —"]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SWAPS = {"said": "stated", "says": "states", "the": "a", "and": "as well as", "but": "though"}


@dataclass(frozen=True)
class Item:
    """An article or a copy of one: ``story`` is the article it comes from."""

    id: str
    story: str
    kind: str
    title: str
    body: str
    source: str


def load_corpus() -> list[Item]:
    items = []
    with CORPUS.open(encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            items.append(
                Item(row["id"], row["id"], "original", row["title"], row["body"], row["source"])
            )
    return items


# -- the edits -------------------------------------------------------------------------


def _paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n") if p.strip()]


def new_headline(item: Item, rng: random.Random) -> Item:
    body = f"{rng.choice(DATELINES)} {item.body}"
    return replace(item, title=f"{item.title.split(':')[0]}: what we know", body=body)


def trim(item: Item, rng: random.Random) -> Item:
    paras = _paragraphs(item.body)
    cut = max(1, round(len(paras) * rng.uniform(0.1, 0.3)))
    kept = paras[: len(paras) - cut]
    if len(kept) > 4:
        del kept[rng.randrange(1, len(kept) - 1)]
    return replace(item, body="\n".join(kept))


def boilerplate(item: Item, rng: random.Random) -> Item:
    lines = [b.format(outlet="The Daily Wire Desk") for b in rng.sample(BOILERPLATE, 3)]
    n = rng.randint(1, 3)
    top, bottom = lines[: n // 2], lines[n // 2 : n]
    return replace(item, body="\n".join([*top, item.body, *bottom]))


def _reworded(sentence: str) -> str:
    words = sentence.split()
    out = []
    for i, word in enumerate(words):
        if i % 5 == 4:
            continue  # a word dropped every five
        out.append(_SWAPS.get(word.lower(), word))
    return " ".join(out)


def reword(item: Item, rng: random.Random) -> Item:
    sentences = _SENTENCE.split(item.body)
    long_ones = [i for i, s in enumerate(sentences) if len(s.split()) >= 8]
    for i in rng.sample(long_ones, min(len(long_ones), rng.randint(2, 5))):
        sentences[i] = _reworded(sentences[i])
    return replace(item, body=" ".join(sentences))


def edited(item: Item, kind: str, rng: random.Random, n: int) -> Item:
    steps = {
        "headline": [new_headline],
        "trim": [trim],
        "boilerplate": [boilerplate],
        "reword": [reword],
        "combined": [new_headline, trim, boilerplate, reword],
    }[kind]
    copy = replace(item, id=f"{item.id}-copy{n}-{kind}", kind=kind, source="Wire Desk")
    for step in steps:
        copy = step(copy, rng)
    return copy


def build_set(rng: random.Random) -> tuple[list[Item], list[Item]]:
    originals = load_corpus()
    chosen = rng.sample(originals, COPIES)
    copies = [edited(o, KINDS[n % len(KINDS)], rng, n) for n, o in enumerate(chosen)]
    return originals, copies


# -- 1. grouping, end to end -----------------------------------------------------------


def group(items: list[Item], threshold: float) -> dict[str, str]:
    """Story id of every item, as ingest assigns them (in the order given)."""
    matcher = StoryMatcher(threshold)
    story: dict[str, str] = {}
    for item in items:
        sig = signature(item.body)
        match = matcher.match(sig)
        story[item.id] = match.story_id if match else item.id
        matcher.add(item.id, story[item.id], sig)
    return story


def pair_scores(items: list[Item], story: dict[str, str]) -> dict[str, Any]:
    """Precision and recall of "same story" over all pairs of items."""
    by_item = {i.id: i for i in items}
    predicted: dict[str, list[str]] = {}
    for item_id, sid in story.items():
        predicted.setdefault(sid, []).append(item_id)
    truth: dict[str, int] = {}
    for item in items:
        truth[item.story] = truth.get(item.story, 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in truth.values())
    tp = fp = 0
    wrong: list[dict[str, Any]] = []
    for members in predicted.values():
        for a, b in combinations(sorted(members), 2):
            if by_item[a].story == by_item[b].story:
                tp += 1
            else:
                fp += 1
                wrong.append(
                    {
                        "a": a,
                        "b": b,
                        "title_a": by_item[a].title,
                        "title_b": by_item[b].title,
                        "similarity": round(_sim(by_item[a], by_item[b]), 3),
                    }
                )
    fn = true_pairs - tp
    missed = [
        {"copy": i.id, "kind": i.kind, "similarity": round(_sim(i, by_item[i.story]), 3)}
        for i in items
        if i.kind != "original" and story[i.id] != story[i.story]
    ]
    by_kind = {}
    for kind in KINDS:
        copies = [i for i in items if i.kind == kind]
        found = sum(story[i.id] == story[i.story] for i in copies)
        by_kind[kind] = {"copies": len(copies), "grouped": found}
    return {
        "items": len(items),
        "true_pairs": true_pairs,
        "predicted_pairs": tp + fp,
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / true_pairs, 4) if true_pairs else 1.0,
        "copies_grouped_by_kind": by_kind,
        "wrongly_grouped": wrong[:20],
        "missed_copies": missed[:20],
    }


def _sim(a: Item, b: Item) -> float:
    sa, sb = signature(a.body), signature(b.body)
    return similarity(sa, sb) if sa is not None and sb is not None else 0.0


# -- 2. the threshold ------------------------------------------------------------------


def hardest_negatives(originals: list[Item]) -> list[tuple[Item, Item, float]]:
    """Each article with the other article whose shingles overlap it most (exact Jaccard
    over all pairs), with the estimated similarity of the pair."""
    sets = {o.id: shingles(o.body) for o in originals}
    best: dict[str, tuple[float, str]] = {}
    for a, b in combinations(originals, 2):
        sa, sb = sets[a.id], sets[b.id]
        inter = len(sa & sb)
        if not inter:
            continue
        jaccard = inter / len(sa | sb)
        for x, y in ((a.id, b.id), (b.id, a.id)):
            if jaccard > best.get(x, (0.0, ""))[0]:
                best[x] = (jaccard, y)
    by_id = {o.id: o for o in originals}
    pairs = {}
    for a_id, (_, b_id) in best.items():
        key = tuple(sorted((a_id, b_id)))
        if key not in pairs:
            a, b = by_id[key[0]], by_id[key[1]]
            pairs[key] = (a, b, _sim(a, b))
    return sorted(pairs.values(), key=lambda p: -p[2])


def sweep(positives: list[float], negatives: list[float]) -> list[dict[str, Any]]:
    rows = []
    for t in THRESHOLDS:
        tp = sum(s >= t for s in positives)
        fp = sum(s >= t for s in negatives)
        rows.append(
            {
                "threshold": t,
                "recall": round(tp / len(positives), 4),
                "negatives_above": fp,
                "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
            }
        )
    return rows


# -- 3. the cost -----------------------------------------------------------------------


def ingest_cost(originals: list[Item], copies: list[Item], rng: random.Random) -> dict[str, Any]:
    """Ingest a subset into a fresh store; time the story check inside it and alone."""
    from ingest.pipeline import ingest
    from newsqa.settings import Settings
    from vectorstore.embeddings import packaged_model_path
    from vectorstore.onnx_embedder import ensure_onnx
    from vectorstore.store import Store

    subset = rng.sample(originals, INGEST_ORIGINALS)
    keep = {o.id for o in subset}
    items = subset + [c for c in copies if c.story in keep]
    rng.shuffle(items)
    articles = [
        Article(id=i.id, title=i.title, body=i.body, source=i.source, origin=f"bench:{i.id}")
        for i in items
    ]
    home = WORK / "dedup-store"
    shutil.rmtree(home, ignore_errors=True)
    settings = Settings(home=home, llm="extractive", progress=False)
    ensure_onnx(settings.models_dir, packaged_model_path())
    store = Store(settings)
    store.embedder.embed_documents(["warm up"])  # model load is not ingest time
    began = time.perf_counter()
    report = ingest([], store, chunk_chars=settings.chunk_chars, loaded=articles)
    ingest_s = time.perf_counter() - began
    index = store.story_index()
    stored = {r.id: r.story_id for r in store.iter_records()}
    grouped = sum(stored.get(i.id) == stored.get(i.story) for i in items if i.kind != "original")
    n_copies = sum(i.kind != "original" for i in items)
    # The check alone, on the same articles in the same order (no store).
    began = time.perf_counter()
    group(items, settings.story_threshold)
    alone_s = time.perf_counter() - began
    embed_s = store.embedder.seconds
    shutil.rmtree(home, ignore_errors=True)
    return {
        "articles": len(articles),
        "copies_among_them": n_copies,
        "copies_grouped_in_store": grouped,
        "chunks_embedded": report.chunks_embedded,
        "ingest_s": round(ingest_s, 3),
        "embedding_s": round(embed_s, 3),
        "check_in_ingest_s": round(index.seconds, 3),
        "check_in_ingest_compute_s": round(index.compute_seconds, 3),
        "check_in_ingest_share": round(index.seconds / ingest_s, 4),
        "check_alone_s": round(alone_s, 3),
        "check_alone_share": round(alone_s / ingest_s, 4),
        "check_alone_ms_per_article": round(1000 * alone_s / len(articles), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-ingest", action="store_true", help="skip the ingest cost part")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    rng = random.Random(SEED)
    originals, copies = build_set(rng)
    items = originals + copies
    order = list(items)
    rng.shuffle(order)
    began = time.perf_counter()
    story = group(order, args.threshold)
    grouping_s = time.perf_counter() - began
    scores = pair_scores(items, story)
    print(
        f"threshold {args.threshold}: precision {scores['precision']}, "
        f"recall {scores['recall']} ({len(items)} items, {grouping_s:.1f} s)",
        file=sys.stderr,
    )

    by_id = {o.id: o for o in originals}
    positives = [_sim(c, by_id[c.story]) for c in copies]
    negatives = hardest_negatives(originals)
    negative_sims = [s for _, _, s in negatives]
    result: dict[str, Any] = {
        "data": f"corpus.jsonl: {CREDIT}",
        "threshold": args.threshold,
        "set": {
            "articles": len(originals),
            "copies": len(copies),
            "copies_by_kind": {k: sum(c.kind == k for c in copies) for k in KINDS},
            "seed": SEED,
        },
        "grouping": {**scores, "seconds": round(grouping_s, 3)},
        "pairs": {
            "positives": len(positives),
            "negatives": len(negative_sims),
            "positive_similarity_min": round(min(positives), 3),
            "positive_similarity_by_kind_min": {
                k: round(min(s for c, s in zip(copies, positives, strict=True) if c.kind == k), 3)
                for k in KINDS
            },
            "negative_similarity_max": round(max(negative_sims), 3),
            "hardest_negatives": [
                {"a": a.id, "b": b.id, "title_a": a.title, "title_b": b.title, "similarity": s}
                for a, b, s in negatives[:8]
            ],
            "sweep": sweep(positives, negative_sims),
        },
    }
    if not args.no_ingest:
        result["cost"] = ingest_cost(originals, copies, rng)
        cost = result["cost"]
        print(
            f"check {cost['check_in_ingest_s']} s of {cost['ingest_s']} s ingest "
            f"({100 * cost['check_in_ingest_share']:.2f} %)",
            file=sys.stderr,
        )
    write_result("dedup", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
