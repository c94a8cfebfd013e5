"""``NEWSQA_AUTH`` / ``--auth`` needs a user and a password: ``admin:`` was accepted for a
public bind, so anyone could sign in with an empty password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsqa.settings import Settings, SettingsError
from tests.conftest import free_port
from ui.app import check_bind

EMPTY = ["admin:", ":secret", ":", " : ", "admin:  ", "  :secret"]


@pytest.mark.parametrize("auth", EMPTY)
def test_an_empty_user_or_password_is_refused(auth: str) -> None:
    with pytest.raises(SettingsError, match=r"NEWSQA_AUTH \(--auth\) needs a user and a password"):
        Settings.from_env({"NEWSQA_AUTH": auth, "NEWSQA_HOST": "0.0.0.0"})
    with pytest.raises(SettingsError, match="neither empty"):
        Settings.from_env({}, host="0.0.0.0", auth=auth)  # the --auth flag
    # settings built directly skip validation: the bind check refuses them too
    problem = check_bind(Settings(host="0.0.0.0", auth=auth))
    assert problem and "refusing to serve on 0.0.0.0" in problem and "neither part empty" in problem


def test_a_real_user_and_password_still_pass() -> None:
    settings = Settings.from_env({"NEWSQA_AUTH": "admin:s3cret", "NEWSQA_HOST": "0.0.0.0"})
    assert check_bind(settings) is None
    assert check_bind(Settings(host="0.0.0.0", auth="u:p:w")) is None  # ":" in the password
    with pytest.raises(SettingsError, match="must look like user:password"):
        Settings.from_env({"NEWSQA_AUTH": "admin"})


@pytest.mark.slow
@pytest.mark.parametrize("how", ["flag", "env"])
def test_chat_refuses_an_empty_password(tmp_path: Path, how: str) -> None:
    port = free_port()
    args = ["chat", "--host", "0.0.0.0", "--port", str(port), "--llm", "extractive"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env["NEWSQA_HOME"] = str(tmp_path / "home")
    if how == "flag":
        args += ["--auth", "admin:"]
    else:
        env["NEWSQA_AUTH"] = "admin:"
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "needs a user and a password, neither empty" in done.stderr
    assert "newsqa chat on" not in done.stdout
