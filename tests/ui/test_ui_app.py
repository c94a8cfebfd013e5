"""App wiring without a browser: filters, bind checks, queue and launch options."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsqa.settings import Settings
from ui.app import (
    QUEUE_PER_WORKER,
    build_app,
    check_bind,
    launch_options,
    make_filters,
    queue_options,
)


def test_make_filters() -> None:
    assert make_filters([], "", "") is None
    f = make_filters(["A", "B"], " 2024-06-01 ", "2024-06-30")
    assert f is not None
    assert (f.sources, f.after, f.before) == (("A", "B"), "2024-06-01", "2024-06-30")


@pytest.mark.parametrize(
    ("after", "before", "message"),
    [
        ("2024-13-01", "", "From date '2024-13-01' is not a date"),
        ("", "June 1", "Until date 'June 1' is not a date"),
        ("2024-07-01", "2024-06-01", "is after the Until date"),
    ],
)
def test_bad_dates_are_refused(after: str, before: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_filters([], after, before)


def test_non_loopback_needs_auth() -> None:
    assert check_bind(Settings(host="127.0.0.1")) is None
    assert check_bind(Settings(host="localhost")) is None
    assert check_bind(Settings(host="::1")) is None
    problem = check_bind(Settings(host="0.0.0.0"))
    assert problem and "--auth" in problem and "NEWSQA_AUTH" in problem
    assert check_bind(Settings(host="0.0.0.0", auth="u:p")) is None


def test_launch_options_bound_uploads_and_stay_local() -> None:
    opts = launch_options(Settings(host="127.0.0.1", port=7999, max_bytes=1234, auth="u:p:w"))
    assert opts["server_name"] == "127.0.0.1" and opts["server_port"] == 7999
    assert opts["max_file_size"] == 1234
    assert opts["auth"] == ("u", "p:w")
    assert opts["share"] is False


def test_queue_is_bounded() -> None:
    assert queue_options(Settings(concurrency=2)) == {
        "default_concurrency_limit": 2,
        "max_size": 2 * QUEUE_PER_WORKER,
    }


def test_events_have_concurrency_limits(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, llm="extractive", concurrency=3)
    app = build_app(settings)
    deps = {fn.name: fn for fn in app.fns.values()}
    assert deps["respond"].concurrency_limit == 3
    assert deps["respond"].concurrency_id == "answer"
    assert deps["add_articles"].concurrency_limit == 1
    assert deps["add_articles"].concurrency_id == deps["delete_article"].concurrency_id
