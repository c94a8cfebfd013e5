"""Fetching over http(s): redirects, errors, size and time limits, schemes, SSRF guard."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ingest_helpers import PARAGRAPHS, WebServer, load, page

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
