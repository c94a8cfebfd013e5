"""Helpers for the ingest tests: a scriptable HTTP server on loopback, and functions
that sort what the loaders yield (imported by the test modules and conftest.py)."""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.article import Article
from ingest.loaders.base import Failure
from ingest.sources import Skipped, SourceOptions, iter_sources

ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = next((ROOT / "seeds").glob("*.txt"))
# A copy of MultiHop-RAG's dev articles (ODC-BY 1.0, see its README): the suite
# must run from a clone alone.
DEV_ARTICLES = ROOT / "tests" / "data" / "multihop" / "dev-articles.jsonl"


@dataclass
class Route:
    """What the test server answers for one path."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line is sent
    trickle: float = 0.0  # seconds between single bytes of the body
    send_length: bool = True  # False: no Content-Length, the body ends when the socket closes
    # Validators: sent with the body, and a 304 (no body) when the request sends them back.
    etag: str | None = None
    last_modified: str | None = None


class WebServer:
    """A loopback HTTP server whose answers tests script path by path.

    ``hits`` counts requests per path, so a test can show a request never arrived;
    ``requests`` keeps each request's path and headers, ``max_active`` the most requests
    that were in progress at once.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.hosts: list[str] = []
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.active = 0
        self.max_active = 0
        self._count = threading.Lock()
        self.stopping = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._count:
                    server.active += 1
                    server.max_active = max(server.max_active, server.active)
                try:
                    self._get()
                finally:
                    with server._count:
                        server.active -= 1

            def _get(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                server.hosts.append(self.headers.get("Host", ""))
                server.requests.append((path, dict(self.headers.items())))
                route = server.routes.get(path)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                if route.delay and server.stopping.wait(route.delay):
                    return
                if _unchanged(route, self.headers):
                    self.send_response(304)
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    self.end_headers()
                    return
                try:
                    self.send_response(route.status)
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    if route.last_modified:
                        self.send_header("Last-Modified", route.last_modified)
                    if route.content_type:
                        self.send_header("Content-Type", route.content_type)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.send_length:
                        self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    if route.trickle:
                        for i in range(len(route.body)):
                            self.wfile.write(route.body[i : i + 1])
                            self.wfile.flush()
                            if server.stopping.wait(route.trickle):
                                return
                    else:
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size limit, timeout): that is the point

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", **kw: object) -> str:
        """Serve ``body`` at ``path``; returns the full URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kw)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.add(path, b"", status=status, headers={"Location": location})

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def _unchanged(route: Route, headers: Any) -> bool:
    """Whether a conditional request names the route's current version."""
    if route.status != 200:
        return False
    match = headers.get("If-None-Match")
    if route.etag and match:
        return match == route.etag
    since = headers.get("If-Modified-Since")
    return bool(route.last_modified and since and since == route.last_modified)


@dataclass
class Loaded:
    """What :func:`iter_sources` yielded, sorted by kind."""

    articles: list[Article]
    failures: list[Failure]
    skipped: list[Skipped]

    def failure(self, fragment: str) -> Failure:
        """The one failure whose origin contains ``fragment``."""
        found = [f for f in self.failures if fragment in f.origin]
        assert len(found) == 1, f"expected one failure for {fragment!r}, got {self.failures}"
        return found[0]


def load(inputs: Iterable[str | Path], options: SourceOptions | None = None) -> Loaded:
    """Run every input through :func:`iter_sources` and sort the results."""
    items = list(iter_sources([str(i) for i in inputs], options or SourceOptions()))
    return Loaded(
        [i for i in items if isinstance(i, Article)],
        [i for i in items if isinstance(i, Failure)],
        [i for i in items if isinstance(i, Skipped)],
    )


def long_paragraphs(n: int = 4, topic: str = "the harbour bridge") -> list[str]:
    """``n`` distinct paragraphs of news-like prose, each ~250 characters."""
    return [
        f"Paragraph {i} about {topic}: officials said on Tuesday that work number {i} "
        f"had finished ahead of schedule. Engineers replaced {i * 10 + 7} steel cables and "
        f"resurfaced lane {i}, according to the transport department. Residents welcomed "
        f"the news at a meeting held in the town hall."
        for i in range(1, n + 1)
    ]


def wait_until(predicate: object, timeout: float = 5.0) -> bool:
    """Poll ``predicate()`` until true or ``timeout`` seconds passed."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.02)
    return False


# -- a news page for the HTML and feed tests ---------------------------------------

PARAGRAPHS = [
    "The Harbour Bridge reopened to traffic on Tuesday morning after eight months of repairs "
    "that cost the city 42 million dollars, officials said.",
    "Engineers replaced 120 steel cables and resurfaced the entire deck, according to the "
    "transport department, which oversaw the project from start to finish.",
    '"We are delighted to give the bridge back to the people of this city," Mayor Ana Lopez '
    "told reporters at a ceremony attended by several hundred residents.",
    "Traffic was light during the first hours, but the department expects around 60,000 "
    "vehicles a day once commuters return after the school holidays next week.",
]
NAV = "Subscribe to our newsletter today"
FOOTER = "Copyright 2024 The Coastal Times. All rights reserved. Privacy policy."


def page(
    *,
    date: str | None = "2024-03-05T08:30:00+00:00",
    canonical: str | None = "https://coastal.example.com/news/bridge-reopens",
    charset: str = "utf-8",
    paragraphs: list[str] = PARAGRAPHS,
) -> str:
    meta_date = f'<meta property="article:published_time" content="{date}">' if date else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}">
<title>Harbour Bridge reopens after repairs | The Coastal Times</title>
<meta property="og:title" content="Harbour Bridge reopens after repairs">
<meta property="og:site_name" content="The Coastal Times">
<meta name="author" content="Jane Doe">
{meta_date}
{link}
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li>{NAV}</li></ul></nav>
<header><div class="logo">The Coastal Times</div></header>
<article>
<h1>Harbour Bridge reopens after repairs</h1>
<p class="byline">By Jane Doe</p>
{body}
</article>
<aside><h3>Most read</h3><ul><li><a href="/x">Celebrity spotted at beach</a></li></ul></aside>
<footer><p>{FOOTER}</p></footer>
</body></html>
"""
