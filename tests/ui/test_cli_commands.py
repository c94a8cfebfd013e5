"""The `newsqa` command as a shell user runs it: messages and exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_FILE

pytestmark = pytest.mark.slow
NEWSQA = [sys.executable, "-m", "ui.cli"]


def run(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "NEWSQA_HOME": str(home), "NEWSQA_LLM": "extractive", **(env or {})}
    return subprocess.run(
        [*NEWSQA, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_ingest_twice_then_edit(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    copy = corpus / SEED_FILE.name
    shutil.copy(SEED_FILE, copy)
    home = tmp_path / "home"

    first = run(home, "ingest", str(corpus))
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("added 1, updated 0, unchanged 0, failed 0")

    second = run(home, "ingest", "--json", str(corpus))
    report = json.loads(second.stdout)
    assert (len(report["added"]), len(report["updated"]), len(report["unchanged"])) == (0, 0, 1)
    assert report["embedding_batches"] == 0 and report["chunks_embedded"] == 0

    copy.write_text(copy.read_text().replace("€46 billion", "€50 billion"))
    third = json.loads(run(home, "ingest", "--json", str(corpus)).stdout)
    assert len(third["updated"]) == 1 and third["added"] == []

    ask = run(home, "ask", "--json", "How large is the G7 loan package for Ukraine?")
    answer = json.loads(ask.stdout)
    assert "50 billion" in answer["text"] and "46 billion" not in ask.stdout


def test_ask_prints_sources_and_declines(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "ingest", str(SEED_FILE)).returncode == 0
    ask = run(home, "ask", "How large is the G7 loan package for Ukraine?")
    assert ask.returncode == 0
    assert "€46 billion" in ask.stdout and "[1]" in ask.stdout and "“" in ask.stdout
    fifa = json.loads(run(home, "ask", "--json", "Who won the 2022 FIFA World Cup?").stdout)
    assert fifa["declined"] is True and fifa["citations"] == []

    stats = run(home, "stats")
    assert "articles: 1" in stats.stdout


def test_delete_and_bad_input_exit_codes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    report = json.loads(run(home, "ingest", "--json", str(SEED_FILE)).stdout)
    article_id = report["added"][0]

    missing = run(home, "delete", "no-such-id")
    assert missing.returncode == 1 and "no article with id 'no-such-id'" in missing.stderr
    assert run(home, "delete", article_id).returncode == 0
    assert "articles: 0" in run(home, "stats").stdout

    nothing = run(home, "ingest", str(tmp_path / "missing.txt"))
    assert nothing.returncode == 1 and "no such file or directory" in nothing.stdout

    empty = tmp_path / "empty.txt"
    empty.write_text("")
    partial = run(home, "ingest", str(SEED_FILE), str(empty))
    assert partial.returncode == 3
    assert "added 1" in partial.stdout and "empty.txt: the file is empty" in partial.stdout


def test_bad_configuration_is_a_usage_error(tmp_path: Path) -> None:
    bad = run(tmp_path, "stats", env={"NEWSQA_LLM": "gpt-99"})
    assert bad.returncode == 2 and "NEWSQA_LLM" in bad.stderr
    bad_k = run(tmp_path, "stats", env={"NEWSQA_TOP_K": "many"})
    assert bad_k.returncode == 2 and "NEWSQA_TOP_K" in bad_k.stderr


def test_chat_refuses_public_bind_without_auth(tmp_path: Path) -> None:
    refused = run(tmp_path, "chat", "--host", "0.0.0.0")
    assert refused.returncode == 2 and "--auth" in refused.stderr


def test_refused_update_then_replace_history_and_restore(tmp_path: Path) -> None:
    """A record from another file claiming a stored id is refused (exit 1, the reason on
    stdout); --replace accepts it and lists it; history shows both; restore undoes it."""
    home = tmp_path / "home"
    body = "The harbour reopened on Monday after eight months of repairs, officials said. " * 8
    ours = tmp_path / "ours.jsonl"
    ours.write_text(json.dumps({"id": "story-1", "title": "Harbour reopens", "body": body}))
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_text(json.dumps({"id": "story-1", "title": "Harbour sold", "body": body + "Sold."}))
    assert run(home, "ingest", str(ours)).returncode == 0

    refused = run(home, "ingest", str(theirs))
    assert refused.returncode == 1  # nothing of the run was stored
    assert "already stored from" in refused.stdout and str(ours.resolve()) in refused.stdout

    forced = run(home, "ingest", "--replace", str(theirs))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "replaced: story-1 'Harbour sold'" in forced.stdout

    history = json.loads(run(home, "history", "--json", "story-1").stdout)
    assert [h["title"] for h in history] == ["Harbour sold", "Harbour reopens"]
    assert history[0]["version"] == "current" and history[1]["stored_until"]

    restored = run(home, "restore", "story-1")
    assert restored.returncode == 0 and "restored story-1" in restored.stdout
    again = json.loads(run(home, "history", "--json", "story-1").stdout)
    assert [h["title"] for h in again] == ["Harbour reopens", "Harbour sold"]
    missing = run(home, "restore", "story-1", "nope")
    assert missing.returncode == 1 and "no version 'nope'" in missing.stderr
