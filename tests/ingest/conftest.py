"""Fixtures for the ingest tests: a refused port and source options with short limits
(the scriptable HTTP server ``web`` is in tests/conftest.py)."""

from __future__ import annotations

import socket

import pytest

from ingest.fetch import FetchPolicy
from ingest.sources import SourceOptions


@pytest.fixture
def refused_url() -> str:
    """A loopback URL where nothing listens: the port was bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/article"


@pytest.fixture
def options() -> SourceOptions:
    """Limits for tests: private (loopback) hosts allowed, a short timeout."""
    return SourceOptions(fetch=FetchPolicy(timeout=5.0, max_bytes=1_000_000, allow_private=True))
