"""Fetching over http(s): redirects, errors, size and time limits, schemes, SSRF guard."""

from __future__ import annotations

import doctest
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from ingest_helpers import PARAGRAPHS, ROOT, WebServer, load, page, wait_until

from ingest.article import article_id
from ingest.fetch import FetchPolicy, check_url, fetch, pinned_request
from ingest.loaders.base import LoadError
from ingest.sources import SourceOptions

OPEN = FetchPolicy(timeout=5.0, max_bytes=100_000, allow_private=True)
GUARDED = FetchPolicy(timeout=5.0, max_bytes=100_000, allow_private=False)


def _options(policy: FetchPolicy) -> SourceOptions:
    return SourceOptions(fetch=policy)


# -- plain fetching ------------------------------------------------------------------


def test_fetch_returns_bytes_type_and_url(web: WebServer) -> None:
    url = web.add("/a", "héllo", content_type="Text/Plain; Charset=UTF-8")
    got = fetch(url, OPEN)
    assert got.data == "héllo".encode()
    assert got.content_type == "text/plain; charset=utf-8"
    assert got.url == url


def test_redirects_are_followed_and_the_final_url_names_the_article(
    web: WebServer, options: SourceOptions
) -> None:
    final = web.add("/news/bridge", page(canonical=None))
    web.redirect("/r1", "/r2", status=301)  # relative Location
    web.redirect("/r2", final, status=307)
    assert fetch(web.url("/r1"), OPEN).url == final
    (article,) = load([web.url("/r1")], options).articles
    assert article.url == final and article.id == article_id(None, final, "", "")
    assert article.body == "\n".join(PARAGRAPHS)


def test_redirect_loop_stops(web: WebServer) -> None:
    web.redirect("/loop", "/loop")
    with pytest.raises(LoadError, match="too many redirects"):
        fetch(web.url("/loop"), OPEN)
    assert web.hits["/loop"] == 6  # the first request and five redirects


@pytest.mark.parametrize(
    ("status", "expected"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500"), (403, "HTTP 403")]
)
def test_http_errors(web: WebServer, status: int, expected: str) -> None:
    url = web.add("/err", "nope", status=status)
    loaded = load([url], _options(OPEN))
    assert loaded.articles == []
    assert loaded.failure("/err").reason.startswith(expected)
    assert url in loaded.failure("/err").reason


def test_missing_page_is_a_404_failure(web: WebServer) -> None:
    loaded = load([web.url("/does-not-exist")], _options(OPEN))
    assert loaded.failure("/does-not-exist").reason.startswith("HTTP 404")


def test_unreachable_host(refused_url: str) -> None:
    started = time.monotonic()
    loaded = load([refused_url], _options(OPEN))
    assert (
        loaded.failure(refused_url).reason
        == f"could not connect to {refused_url}: connection refused"
    )
    assert time.monotonic() - started < 3


# -- limits ----------------------------------------------------------------------------


@pytest.mark.parametrize("send_length", [True, False])
def test_response_larger_than_the_limit(web: WebServer, send_length: bool) -> None:
    url = web.add("/huge", b"x" * 500_000, content_type="text/plain", send_length=send_length)
    policy = FetchPolicy(timeout=5.0, max_bytes=10_000, allow_private=True)
    with pytest.raises(LoadError, match="larger than the 10,000-byte limit"):
        fetch(url, policy)
    exactly = web.add("/exact", b"y" * 10_000, content_type="text/plain", send_length=send_length)
    assert len(fetch(exactly, policy).data) == 10_000


def test_slow_server_times_out(web: WebServer) -> None:
    url = web.add("/slow", page(), delay=3.0)
    policy = FetchPolicy(timeout=1.0, allow_private=True)
    started = time.monotonic()
    loaded = load([url], _options(policy))
    elapsed = time.monotonic() - started
    assert loaded.failure("/slow").reason == f"timed out after 1 s fetching {url}"
    assert elapsed < 2.5


def test_trickling_server_times_out_on_the_whole_fetch(web: WebServer) -> None:
    """Each byte arrives well within the timeout, but the whole body would take 10 s."""
    url = web.add("/trickle", b"z" * 200, content_type="text/plain", trickle=0.05)
    policy = FetchPolicy(timeout=1.0, allow_private=True)
    started = time.monotonic()
    with pytest.raises(LoadError, match="timed out"):
        fetch(url, policy)
    assert time.monotonic() - started < 2.5


def test_unsupported_content_type(web: WebServer) -> None:
    url = web.add("/img", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png")
    reason = load([url], _options(OPEN)).failure("/img").reason
    assert reason.startswith("unsupported content type 'image/png'")
    url = web.add("/css", "body { color: red }", content_type="text/css")
    assert "unsupported content type 'text/css'" in load([url], _options(OPEN)).failures[0].reason


# -- schemes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("ftp://ftp.example.org/news.txt", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("JavaScript:alert(document.cookie)", "javascript"),
        ("data:text/plain,hello", "data"),
        ("gopher://example.org/1", "gopher"),
    ],
)
def test_non_http_schemes_are_refused(url: str, scheme: str) -> None:
    loaded = load([url], _options(OPEN))
    assert loaded.articles == []
    assert loaded.failure(url).reason == (
        f"only http and https URLs can be fetched, not {scheme}: {url}"
    )


def test_file_urls_are_read_as_paths(tmp_path: Path) -> None:
    path = tmp_path / "my story.txt"
    path.write_text("File URL headline\nBody of the file URL story.", encoding="utf-8")
    (article,) = load([path.as_uri()]).articles
    assert article.title == "File URL headline"
    assert article.origin == str(path)
    missing = (tmp_path / "missing.txt").as_uri()
    assert load([missing]).failures[0].reason == "no such file or directory"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://example.org:99999/", "not a valid URL"),
        ("http:///just/a/path", "the URL has no host"),
        ("http://nonexistent.invalid/a", "cannot resolve host 'nonexistent.invalid'"),
    ],
)
def test_bad_urls_fail_cleanly(url: str, reason: str) -> None:
    with pytest.raises(LoadError, match=reason.replace("(", r"\(")):
        check_url(url, allow_private=False)
    assert reason in load([url], _options(GUARDED)).failure(url).reason


# -- SSRF guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "127.1", "0.0.0.0", "[::ffff:127.0.0.1]"],
)
def test_loopback_is_refused_before_any_request(web: WebServer, host: str) -> None:
    web.add("/secret", "Internal\nInternal data.", content_type="text/plain")
    url = f"http://{host}:{web.port}/secret"
    loaded = load([url], _options(GUARDED))
    assert loaded.articles == []
    reason = loaded.failure(url).reason
    assert reason.startswith(f"refusing to fetch {url}") and "private or local" in reason
    assert web.hits["/secret"] == 0
    # the same URL is fetched when private hosts are allowed, so the server was reachable
    if host not in ("0.0.0.0", "[::1]", "[::ffff:127.0.0.1]"):
        assert load([url], _options(OPEN)).failures == []
        assert web.hits["/secret"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/admin",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
    ],
)
def test_private_networks_are_refused(url: str) -> None:
    with pytest.raises(LoadError, match="private or local address"):
        check_url(url, allow_private=False)


def test_public_addresses_pass_the_check() -> None:
    check_url("http://93.184.216.34/news", allow_private=False)
    check_url("https://[2606:2800:220:1:248:1893:25c8:1946]/", allow_private=False)


def test_redirect_to_loopback_is_refused_on_the_second_hop(web: WebServer) -> None:
    """Every hop goes through check_url: a redirect target is checked like a first URL."""
    web.add("/secret", "internal", content_type="text/plain")
    target = web.url("/secret")
    web.redirect("/hop", target)
    # what the guard does with the hop's Location when private hosts are refused
    response = httpx.get(web.url("/hop"), follow_redirects=False)
    assert response.headers["location"] == target
    with pytest.raises(LoadError, match="refusing to fetch"):
        check_url(response.headers["location"], allow_private=False)
    # and the fetch really checks each hop: a redirect to a refused scheme stops it
    web.redirect("/to-ftp", "ftp://127.0.0.1/secret")
    with pytest.raises(LoadError, match="only http and https URLs can be fetched, not ftp"):
        fetch(web.url("/to-ftp"), OPEN)
    web.redirect("/to-js", "javascript:alert(1)")  # httpx itself rejects this Location
    with pytest.raises(LoadError, match="invalid URL"):
        fetch(web.url("/to-js"), OPEN)
    hits_before = web.hits["/secret"]
    with pytest.raises(LoadError, match="refusing to fetch"):
        fetch(web.url("/hop"), GUARDED)
    assert web.hits["/hop"] == 1 and web.hits["/secret"] == hits_before  # never reached


def test_pinned_request_reaches_the_vetted_address_with_the_original_host(
    web: WebServer,
) -> None:
    """The guard connects to the address it checked, so DNS cannot change its answer."""
    web.add("/story", "pinned", content_type="text/plain")
    url = f"http://news.example:{web.port}/story?x=1"
    target, headers, extensions = pinned_request(url, "127.0.0.1")
    assert target == f"http://127.0.0.1:{web.port}/story?x=1"
    assert extensions == {}
    with httpx.Client() as client:
        response = client.get(target, headers=headers, extensions=extensions)
    assert response.text == "pinned"
    assert web.hosts[-1] == f"news.example:{web.port}"
    assert pinned_request("http://u:p@h.example/a", "2001:db8::1")[:2] == (
        "http://u:p@[2001:db8::1]/a",
        {"Host": "h.example"},
    )


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """An HTTPS server on loopback with a self-signed certificate for news.example."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=news.example", "-addext", "subjectAltName=DNS:news.example",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = f"secure {self.headers.get('Host')}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield int(server.server_address[1]), cert
    finally:
        server.shutdown()
        server.server_close()


def test_pinned_https_request_checks_the_certificate_of_the_host_name(
    tls_server: tuple[int, Path],
) -> None:
    port, cert = tls_server
    trust = ssl.create_default_context(cafile=str(cert))
    target, headers, extensions = pinned_request(f"https://news.example:{port}/", "127.0.0.1")
    assert extensions == {"sni_hostname": "news.example"}
    with httpx.Client(verify=trust) as client:
        response = client.get(target, headers=headers, extensions=extensions)
    assert response.text == f"secure news.example:{port}"
    # without the host name the certificate (issued to news.example) does not match
    with pytest.raises(httpx.ConnectError):
        httpx.get(target, verify=trust)


# -- one wall-clock deadline (red-team 7) ------------------------------------------------


class RawServer:
    """A raw-socket loopback server: every connection gets ``response``, the first
    ``at_once`` bytes at once and then one byte every ``gap`` seconds.

    ``WebServer`` goes through ``http.server``, which writes the status line and the
    headers in one piece; this one can trickle them. ``requests`` keeps what clients
    sent; ``cut_off`` the monotonic times at which a client's connection was found gone.
    """

    def __init__(self, response: bytes, gap: float, at_once: int = 0) -> None:
        self.response, self.gap, self.at_once = response, gap, at_once
        self.requests: list[bytes] = []
        self.cut_off: list[float] = []
        self.stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/story"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            request = b""
            while b"\r\n\r\n" not in request:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            self.requests.append(request)
            try:
                conn.sendall(self.response[: self.at_once])
                for i in range(self.at_once, len(self.response)):
                    if self.stopping.wait(self.gap):
                        return
                    conn.sendall(self.response[i : i + 1])
            except OSError:  # the client closed its end: it gave up, as it should
                self.cut_off.append(time.monotonic())

    def close(self) -> None:
        self.stopping.set()
        self._listener.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    """Start :class:`RawServer` instances; all are closed after the test."""
    started: list[RawServer] = []

    def start(response: bytes, gap: float, at_once: int = 0) -> RawServer:
        started.append(RawServer(response, gap, at_once))
        return started[-1]

    yield start
    for server in started:
        server.close()


_BODY = b"Trickled headline\n" + b"The body of a story sent very slowly. " * 4
_HEAD = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
    b"X-Padding: " + b"p" * 40 + b"\r\n"
    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n\r\n"
)


@pytest.mark.parametrize(
    ("part", "gap", "at_once"),
    [
        ("status line and headers", 0.5, 0),  # before: held fetch() for 12.2 s (3 s timeout)
        ("body", 0.5, len(_HEAD)),
        ("body, each byte just inside the timeout", 1.8, len(_HEAD) + 1),
    ],
)
def test_a_trickling_server_cannot_outlast_the_deadline(
    raw_server: Callable[..., RawServer], part: str, gap: float, at_once: int
) -> None:
    """httpx's timeout is per read: each byte arriving in time reset it. The fetch has
    one deadline for everything, and the connection is closed when it passes."""
    server = raw_server(_HEAD + _BODY, gap, at_once)
    policy = FetchPolicy(timeout=2.0, allow_private=True)
    started = time.monotonic()
    with pytest.raises(LoadError, match=r"^timed out after 2 s fetching http://127\.0\.0\.1"):
        fetch(server.url, policy)
    returned = time.monotonic()
    assert returned - started < 3.0, f"{part}: held for {returned - started:.1f} s"
    # the request was not left running: the server's next bytes find the connection shut
    # (the first one draws a reset, the second fails)
    assert wait_until(lambda: server.cut_off, timeout=2 * gap + 2.0), part
    assert server.cut_off[0] - returned < 2 * gap + 1.0


def test_the_deadline_covers_every_redirect_hop(
    web: WebServer, raw_server: Callable[..., RawServer]
) -> None:
    server = raw_server(_HEAD + _BODY, 0.5, 0)
    web.redirect("/moved", server.url)
    started = time.monotonic()
    with pytest.raises(LoadError, match=f"timed out after 2 s fetching {server.url}"):
        fetch(web.url("/moved"), FetchPolicy(timeout=2.0, allow_private=True))
    assert time.monotonic() - started < 3.0


def test_a_hung_name_lookup_is_left_behind_at_the_deadline(
    web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS cannot be interrupted (getaddrinfo blocks in C): the fetch returns at its
    deadline anyway and the lookup finishes on its own, its result thrown away."""
    import ingest.fetch as fetch_module

    release = threading.Event()
    real = fetch_module._checked_address

    def hung(url: str, allow_private: bool) -> str | None:
        release.wait(30)  # a resolver that does not answer
        return real(url, allow_private)

    monkeypatch.setattr(fetch_module, "_checked_address", hung)
    url = web.add("/named", "text", content_type="text/plain")
    started = time.monotonic()
    try:
        with pytest.raises(LoadError, match=f"^timed out after 1 s fetching {url}$"):
            fetch(url, FetchPolicy(timeout=1.0, allow_private=True))
        assert time.monotonic() - started < 2.0
    finally:
        release.set()
    time.sleep(0.2)
    assert web.hits["/named"] == 0  # the late worker did not go on to send the request


# -- compressed bodies: the limit holds in memory (red-team 8) -------------------------

BOMB_BYTES = 300_000_000  # decoded size of every bomb
BOMB_LIMIT = 5_000_000  # max_bytes of the fetch that receives it
# Memory growth allowed while refusing a bomb: the body itself, its final copy, and
# slack (measured after the fix: under 6 MB). Before it, one network read was decoded
# whole: 60-140 MB for gzip and deflate, about 560 MB for br and zstd.
RSS_ALLOWANCE = 3 * BOMB_LIMIT + 10_000_000


def _bomb(encoding: str) -> bytes:
    """``BOMB_BYTES`` zeros compressed as ``encoding``, built without holding them."""
    zeros = bytes(1_000_000)
    if encoding in ("gzip", "deflate", "raw-deflate"):
        wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}[encoding]
        packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
        return b"".join(packer.compress(zeros) for _ in range(300)) + packer.flush()
    if encoding == "br":
        brotli = pytest.importorskip("brotli")
        compressor = brotli.Compressor(quality=5)
        parts = [compressor.process(zeros) for _ in range(300)]
        return b"".join(parts) + compressor.finish()
    zstandard = pytest.importorskip("zstandard")
    packer = zstandard.ZstdCompressor(level=3).compressobj()
    return b"".join(packer.compress(zeros) for _ in range(300)) + packer.flush()


_MEASURE = """
import json, resource, sys, tracemalloc
from ingest.fetch import FetchPolicy, fetch
from ingest.loaders.base import LoadError
policy = FetchPolicy(timeout=60, max_bytes=int(sys.argv[3]), allow_private=True)
fetch(sys.argv[1], policy)  # warm up: imports, first thread, first connection
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
try:
    outcome = f"fetched {len(fetch(sys.argv[2], policy).data):,} bytes"
except LoadError as exc:
    outcome = str(exc)
traced = tracemalloc.get_traced_memory()[1]
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
print(json.dumps({"outcome": outcome, "growth": max(traced, grown)}))
"""


def _fetch_measured(web: WebServer, url: str, max_bytes: int = BOMB_LIMIT) -> tuple[str, int]:
    """Fetch ``url`` in a fresh interpreter: (outcome, memory growth in bytes).

    The growth is the larger of the peak RSS growth (``ru_maxrss``, which misses
    memory freed before an earlier peak) and tracemalloc's peak (which misses memory
    allocated outside Python's allocator).
    """
    warm = web.add("/warm-up", "warm", content_type="text/plain")
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, warm, url, str(max_bytes)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    return result["outcome"], result["growth"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_a_compression_bomb_stops_at_the_limit_in_memory_too(web: WebServer, encoding: str) -> None:
    body = _bomb(encoding)
    header = "deflate" if encoding == "raw-deflate" else encoding
    url = web.add("/bomb", body, content_type="text/plain", headers={"Content-Encoding": header})
    assert len(body) < BOMB_LIMIT  # the wire size is not what the limit is about
    outcome, growth = _fetch_measured(web, url)
    assert outcome == f"{url} is larger than the 5,000,000-byte limit"
    assert growth < RSS_ALLOWANCE, f"{encoding}: memory grew {growth / 1e6:.0f} MB"


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_codings_not_asked_for_are_refused_undecoded(web: WebServer, encoding: str) -> None:
    """The client asks for gzip and deflate only; a br or zstd bomb sent anyway is refused
    before anything is decoded (httpx decoded a whole network read at once: 54 KB of
    brotli became 300 MB)."""
    body = _bomb(encoding)
    url = web.add("/bomb", body, content_type="text/plain", headers={"Content-Encoding": encoding})
    outcome, growth = _fetch_measured(web, url)
    assert outcome == (
        f"{url} is compressed with {encoding!r}, which newsqa did not ask for "
        "(it accepts gzip, deflate)"
    )
    assert growth < RSS_ALLOWANCE, f"{encoding}: memory grew {growth / 1e6:.0f} MB"


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress"])
def test_other_codings_are_refused_even_without_their_modules(
    web: WebServer, encoding: str
) -> None:
    url = web.add("/odd", b"\x00" * 64, content_type="text/plain",
                  headers={"Content-Encoding": encoding})  # fmt: skip
    with pytest.raises(LoadError, match=f"compressed with '{encoding}', which newsqa did not"):
        fetch(url, OPEN)


def test_only_codings_that_are_bounded_are_asked_for(raw_server: Callable[..., RawServer]) -> None:
    server = raw_server(_HEAD + _BODY, 0.0, len(_HEAD + _BODY))
    assert fetch(server.url, OPEN).data == _BODY
    (request,) = server.requests
    assert b"\r\naccept-encoding: gzip, deflate\r\n" in request.lower()


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "raw-deflate", "gzip, deflate"])
def test_compressed_pages_are_decoded(web: WebServer, encoding: str) -> None:
    text = page().encode()
    body = text
    for coding in [c.strip() for c in encoding.split(",")]:
        wbits = {"gzip": 31, "x-gzip": 31, "deflate": 15, "raw-deflate": -15}[coding]
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        body = packer.compress(body) + packer.flush()
    header = encoding.replace("raw-deflate", "deflate")
    url = web.add("/zipped", body, headers={"Content-Encoding": header})
    assert fetch(url, OPEN).data == text
    # the limit counts decoded bytes: exactly at it passes, one over fails
    assert len(fetch(url, FetchPolicy(5.0, len(text), True)).data) == len(text)
    with pytest.raises(LoadError, match=f"larger than the {len(text) - 1:,}-byte limit"):
        fetch(url, FetchPolicy(5.0, len(text) - 1, True))


def test_a_corrupt_compressed_body_fails_cleanly(web: WebServer) -> None:
    url = web.add("/bad", b"\x1f\x8b\x08\x00garbage-not-gzip", headers={"Content-Encoding": "gzip"})
    with pytest.raises(LoadError, match=f"fetching {url} failed: the body is not valid gzip"):
        fetch(url, OPEN)


def test_fetch_docstring_examples() -> None:
    import ingest.fetch

    result = doctest.testmod(ingest.fetch, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
