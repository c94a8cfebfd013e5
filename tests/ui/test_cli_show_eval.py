"""`newsqa ingest --json` per input, `newsqa show`, and `newsqa eval-extraction` on a
tiny labelled set written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_commands import run

from ingest.extraction_eval import Extracted, Score, normalise_name, score_all

pytestmark = pytest.mark.slow

PAGE = """<html><head><title>{title} | Coastal Times</title>
<meta property="og:site_name" content="Coastal Times">
<meta property="article:published_time" content="{date}T09:00:00+02:00">
<meta name="author" content="Ana Ruiz"></head>
<body><nav>Home World Sport</nav><article><h1>{title}</h1>
<p>The harbour authority reopened the northern quay on Monday after a week of repairs
to the storm-damaged sea wall, officials said on Monday afternoon.</p>
<p>Ferries to the islands will resume their normal timetable on Wednesday, and the
fish market returns to the quay at the weekend, the authority added.</p>
<p>Sign up for our newsletter</p></article><footer>Contact us</footer></body></html>"""


def write_set(folder: Path) -> None:
    (folder / "pages").mkdir(parents=True)
    (folder / "pages" / "a.html").write_text(PAGE.format(title="Quay reopens", date="2024-06-14"))
    labels = {
        "url": "https://coastal.example/a",
        "file": "a.html",
        "with": ["reopened the northern quay on Monday", "Ferries to the islands"],
        "without": ["Sign up for our newsletter", "Contact us"],
        "title": "Quay reopens",
        "date": "2024-06-14",
        "author": "Ana Ruiz",
    }
    (folder / "labels.jsonl").write_text(json.dumps(labels) + "\n")


def test_ingest_json_lists_every_input_and_show_prints_it(tmp_path: Path) -> None:
    write_set(tmp_path / "set")
    bad = tmp_path / "set" / "pages" / "empty.html"
    bad.write_text("")
    home = tmp_path / "home"
    report = json.loads(run(home, "ingest", "--json", str(tmp_path / "set" / "pages")).stdout)
    by_input = {Path(i["input"]).name: i for i in report["inputs"]}
    assert by_input["a.html"]["status"] == "added" and by_input["a.html"]["title"] == "Quay reopens"
    assert by_input["empty.html"]["status"] == "failed" and by_input["empty.html"]["reason"]
    article_id = by_input["a.html"]["id"]

    shown = run(home, "show", article_id)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("Quay reopens\n")
    assert "outlet:       Coastal Times" in shown.stdout
    assert "completeness: full text" in shown.stdout
    assert "Ferries to the islands" in shown.stdout
    (as_json,) = json.loads(run(home, "show", "--json", article_id).stdout)
    assert as_json["author"] == "Ana Ruiz" and as_json["published_at"].startswith("2024-06-14")
    missing = run(home, "show", article_id, "nope")
    assert missing.returncode == 1 and "nope" in missing.stderr


def test_eval_extraction_scores_what_the_store_holds(tmp_path: Path) -> None:
    write_set(tmp_path / "set")
    out = tmp_path / "out"
    done = run(
        tmp_path / "home",
        "eval-extraction",
        "--pages",
        str(tmp_path / "set"),
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads((out / "summary.json").read_text())["figures"]
    ours = figures["newsqa"]
    assert (ours["precision"], ours["recall"], ours["title_exact"]) == (1.0, 1.0, 1.0)
    assert (ours["date_exact"], ours["author_exact"]) == (1.0, 1.0)
    assert "trafilatura default" in figures
    assert "| newsqa |" in done.stdout


def test_scoring_follows_trafilaturas_method() -> None:
    labels = [{"file": "a", "with": ["one two", "three"], "without": ["menu"], "title": "T!"}]
    score, misses = score_all(labels, {"a": Extracted("one\ntwo menu", title="t")})
    assert (score.tp, score.fn, score.fp, score.tn) == (1, 1, 1, 0)
    assert round(score.f1, 3) == 0.5 and score.rate("title") == 1.0
    assert misses[0]["missing"] == 1 and misses[0]["boilerplate"] == 1
    assert Score().f1 == 0.0
    assert normalise_name("“Ana” Ruiz,") == normalise_name("ana ruiz")
