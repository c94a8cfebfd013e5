"""`newsqa watch` as a service: SIGTERM mid-ingest stops it cleanly with the store
consistent (`newsqa check`), and the next run stores the rest; one watcher per store;
`newsqa feeds add|rm|ls`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from html import escape
from pathlib import Path

import pytest

from tests.conftest import ROOT, subprocess_env
from tests.ingest.ingest_helpers import WebServer
from ui.cli import main
from ui.watch_cli import watch_lock

pytestmark = pytest.mark.slow
NEWSQA = [sys.executable, "-m", "ui.cli"]
ENTRIES = 160  # about 320 chunks: several seconds of embedding, so SIGTERM lands inside


def big_feed(n: int) -> str:
    items = []
    for i in range(n):
        body = " ".join(
            f"Report {i}, part {p}: the council voted {i * 7 + p} to {p + 3} on the plan for "
            f"district {i}, officials said, after a debate that lasted {p + 2} hours."
            for p in range(18)
        )
        link = f"https://news.example/story-{i}"
        items.append(
            f"<item><title>Story {i}</title><link>{link}</link><guid>{link}</guid>"
            f"<description>{escape(body)}</description></item>"
        )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Council News</title>'
        + "".join(items)
        + "</channel></rss>"
    )


def env(home: Path) -> dict[str, str]:
    return subprocess_env(home, NEWSQA_ALLOW_PRIVATE_URLS="1", NEWSQA_LLM="extractive")


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NEWSQA, *args], capture_output=True, text=True, env=env(home), cwd=ROOT, timeout=600
    )


@pytest.mark.timeout(600)
def test_sigterm_stops_after_the_current_batch_with_the_store_consistent(
    web: WebServer, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    url = web.add("/council.xml", big_feed(ENTRIES), content_type="application/rss+xml")
    proc = subprocess.Popen(
        [*NEWSQA, "watch", url, "--every", "1m"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env(home),
        cwd=ROOT,
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "ingesting" in line:
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(120), "".join(lines)
        time.sleep(1.0)  # the model loads and the first batch is being embedded
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(300) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(10)
    output = "".join(lines)
    assert "SIGTERM: stopping after the current batch" in output
    assert "stopped after" in output and output.rstrip().endswith("stopped"), output

    check = run(home, "check", "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    stored = json.loads(run(home, "feeds", "ls", "--json").stdout)[0]
    assert 0 < stored["added"] < ENTRIES and stored["next_at"] == 0.0

    again = run(home, "watch", "--once")
    assert again.returncode == 0, again.stdout + again.stderr
    final = json.loads(run(home, "feeds", "ls", "--json").stdout)[0]
    assert final["added"] == ENTRIES and final["status"] == "ok"
    assert "articles: 160" in run(home, "stats").stdout
    assert run(home, "check").returncode == 0


def test_feeds_add_ls_rm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(tmp_path / "home")]
    assert main([*home, "feeds", "add", "https://a.example/rss", "--every", "30m"]) == 0
    assert main([*home, "feeds", "add", "https://A.example/rss"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "added: https://a.example/rss",
        "unchanged: https://a.example/rss",
    ]
    assert main([*home, "feeds", "ls"]) == 0
    listing = capsys.readouterr().out
    assert "https://a.example/rss  every 30m  new  due" in listing
    assert "Nobody is polling these feeds now" in listing
    assert main([*home, "feeds", "ls", "--json"]) == 0
    (feed,) = json.loads(capsys.readouterr().out)
    assert feed["every"] == 1800 and feed["status"] == "new" and "entries" not in feed
    assert main([*home, "feeds", "rm", "https://a.example/rss", "https://b.example/rss"]) == 0
    captured = capsys.readouterr()
    assert "removed: https://a.example/rss" in captured.out
    assert "not watched: https://b.example/rss" in captured.err
    assert main([*home, "feeds", "rm", "https://a.example/rss"]) == 1
    assert main([*home, "feeds", "add", "file:///etc/passwd"]) == 2
    assert main([*home, "feeds", "add", "https://a.example/rss", "--every", "5"]) == 2
    assert main([*home, "watch", "--once"]) == 2  # nothing to watch
    assert "no feeds to watch" in capsys.readouterr().err
    assert (tmp_path / "home" / "feeds.json").is_file()
    assert not any(p.name.startswith(".feeds.json.") for p in (tmp_path / "home").iterdir())


def test_one_watcher_per_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from newsqa.settings import Settings

    home = tmp_path / "home"
    assert main(["--home", str(home), "feeds", "add", "https://a.example/rss"]) == 0
    with watch_lock(Settings(home=home)) as holder:
        assert holder is None
        assert main(["--home", str(home), "watch", "--once"]) == 1
        err = capsys.readouterr().err
        assert f"a watch (pid {os.getpid()}" in err and "already watches" in err
        assert main(["--home", str(home), "feeds", "ls"]) == 0
        assert "This server polls these feeds" in capsys.readouterr().out
