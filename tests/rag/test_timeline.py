"""Timelines over a real store: relevant stories in date order, one entry per story
(near-duplicates collapsed, the other outlets named), nothing after ``as_of``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.retrieve import Retriever
from rag.timeline import build_timeline
from tests.rag.conftest import store_with
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

pytestmark = pytest.mark.slow

STRIKE = (
    "The ferry strike that stranded islanders for three weeks is ending. Union leader "
    "Maria Costa said the strike would end on Friday after members accepted a new offer. "
    "The ferry company said it had offered a 5% raise and two extra rest days, and "
    "services will resume on Saturday morning from the main harbour."
)
ARTICLES = [
    {"id": "talks", "title": "Ferry strike talks collapse", "source": "BBC News",
     "published_at": "2023-11-02T18:00:00+00:00",
     "body": "Talks between the ferry union and the ferry company broke down on Wednesday. "
     "Islanders said the ferry strike had left shops without fresh food."},
    {"id": "end-reuters", "title": "Ferry strike to end on Friday", "source": "Reuters",
     "published_at": "2023-11-14T09:00:00+00:00", "body": STRIKE},
    {"id": "end-copy", "title": "Ferry strike ends", "source": "Island Gazette",
     "published_at": "2023-11-14T15:00:00+00:00", "body": STRIKE + " Reporting by staff."},
    {"id": "later", "title": "Ferries sail again", "source": "BBC News",
     "published_at": "2023-11-20T08:00:00+00:00",
     "body": "The first ferries since the strike sailed on Saturday, full of islanders."},
    {"id": "other", "title": "Budget passes", "source": "Reuters",
     "published_at": "2023-11-10T08:00:00+00:00",
     "body": "Parliament passed the budget after a long night of votes on taxes."},
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Store:
    return store_with(tmp_path_factory.mktemp("timeline"), embedder, ARTICLES)


def test_stories_in_date_order_with_duplicates_collapsed(store: Store) -> None:
    t = build_timeline("the ferry strike", Retriever(store))
    ids = [e.citation.article_id for e in t.entries]
    assert ids == ["talks", "end-reuters", "later"]  # the copy joins Reuters' story
    assert t.entries[1].also == ("Island Gazette",)
    assert list(t.by_day()) == ["2023-11-02", "2023-11-14", "2023-11-20"]
    body = {a["id"]: a["body"] for a in ARTICLES}
    for e in t.entries:  # every line is a verbatim quote
        c = e.citation
        assert body[c.article_id][c.start : c.end] == c.quote


def test_as_of_leaves_out_later_reports(store: Store) -> None:
    t = build_timeline("the ferry strike", Retriever(store), as_of="2023-11-15")
    assert [e.day for e in t.entries] == ["2023-11-02", "2023-11-14"]


def test_cli_prints_days_and_json(store: Store) -> None:
    env = {"NEWSQA_HOME": str(store.settings.home), "PATH": "/usr/bin:/bin"}
    root = Path(__file__).resolve().parents[2]
    run = [sys.executable, "-m", "ui.cli", "timeline", "ferry strike"]
    out = subprocess.run(run, capture_output=True, text=True, env=env, cwd=root, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.index("2023-11-02") < out.stdout.index("2023-11-14")
    assert "also Island Gazette" in out.stdout
    data = json.loads(
        subprocess.run([*run, "--json"], capture_output=True, text=True, env=env, cwd=root,
                       timeout=300).stdout
    )
    assert [e["day"] for e in data["entries"]] == ["2023-11-02", "2023-11-14", "2023-11-20"]
    bad = subprocess.run([*run, "-n", "0"], capture_output=True, text=True, env=env, cwd=root)
    assert bad.returncode == 2 and "-n must be at least 1" in bad.stderr
