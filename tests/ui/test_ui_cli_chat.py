"""``newsqa chat`` itself: where it binds, when it refuses, sign-in, one real answer.

These start the real console script (extractive backend, so no model is loaded).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.ui.ui_helpers import ask, copy_home, open_chat, server_env, source_titles, start_server

# These start a server inside the test; a loaded CI machine needs the extra minute for
# the first answer, which also loads the embedder.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(180)]
FIRST_ANSWER_MS = 120_000

NEWSQA = shutil.which("newsqa", path=str(Path(sys.executable).parent)) or "newsqa"
PUTIN_TITLE = "Kyiv slams Putin's offer of an immediate ceasefire"


def listening(port: int) -> set[str]:
    """Local addresses (``ip``) with a listening TCP socket on ``port``."""
    found = set()
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, state = fields[1], fields[3]
            ip_hex, port_hex = address.split(":")
            if state != "0A" or int(port_hex, 16) != port:
                continue
            if v6:
                found.add("::" if set(ip_hex) == {"0"} else ip_hex)
            else:
                octets = bytes.fromhex(ip_hex)[::-1]
                found.add(".".join(str(b) for b in octets))
    return found


def test_public_address_without_password_is_refused(tmp_path: Path) -> None:
    port = free_port()
    done = subprocess.run(
        [NEWSQA, "chat", "--host", "0.0.0.0", "--port", str(port), "--llm", "extractive"],
        env=server_env(tmp_path / "home"),
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 2
    assert "refusing to serve on 0.0.0.0 without a password" in done.stderr
    assert "--auth user:password" in done.stderr and "NEWSQA_AUTH" in done.stderr
    assert not listening(port)


def test_default_is_loopback_and_answers(corpus_home: Path, new_page, tmp_path: Path) -> None:
    home = copy_home(corpus_home, tmp_path / "home")
    port = free_port()
    server = start_server(
        [NEWSQA, "chat", "--port", str(port), "--llm", "extractive"], home, tmp_path / "log"
    )
    try:
        assert listening(port) == {"127.0.0.1"}
        assert f"newsqa chat on http://127.0.0.1:{port}" in server.output()
        page = new_page(server.url)
        open_chat(page)
        assert "extractive" in page.locator("#status-text").inner_text()
        bubble = ask(page, "What did Putin offer Ukraine?", timeout=FIRST_ANSWER_MS)
        assert "ceasefire" in bubble.locator(".answer").inner_text()
        assert bubble.locator("a.cite").count() >= 1
        assert PUTIN_TITLE in source_titles(page)
    finally:
        server.stop()


def test_public_address_with_password_needs_sign_in(
    corpus_home: Path, new_page, tmp_path: Path
) -> None:
    home = copy_home(corpus_home, tmp_path / "home")
    port = free_port()
    env = server_env(home, NEWSQA_AUTH="alice:s3cret-pass", NEWSQA_LLM="extractive")
    server = start_server(
        [NEWSQA, "chat", "--host", "0.0.0.0", "--port", str(port)], home, tmp_path / "log", env
    )
    try:
        assert listening(port) == {"0.0.0.0"}
        assert "(sign-in required)" in server.output()
        page: Any = new_page(server.url)
        page.wait_for_selector("input[type=password]")
        assert page.locator("#question").count() == 0

        def sign_in(password: str) -> None:
            page.locator("input[type=text], input:not([type])").first.fill("alice")
            page.locator("input[type=password]").fill(password)
            page.locator("input[type=password]").press("Enter")

        sign_in("wrong")
        page.wait_for_selector("text=Incorrect Credentials")
        assert page.locator("#question").count() == 0
        sign_in("s3cret-pass")
        open_chat(page)
        ask(page, "How big was the G7 loan for Ukraine?", timeout=FIRST_ANSWER_MS)
        assert "Alpine Herald" in page.locator("#sources").inner_text()
    finally:
        server.stop()
