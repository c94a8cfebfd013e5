"""Fetching articles and feeds over http(s): bounded in time and size, SSRF-guarded."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from ingest.loaders.base import LoadError

USER_AGENT = "newsqa/0.1 (+https://github.com/newsqa/newsqa)"
_MAX_REDIRECTS = 5
# Only codings decoded here, in bounded pieces: the HTTP client would decode br and
# zstd (when their modules are installed) with no bound on what one network read
# expands to (54 KB of brotli became 300 MB in memory before the size check).
ACCEPT_ENCODING = "gzip, deflate"
_GZIP = ("gzip", "x-gzip")
_PIECE = 64 * 1024  # most decoded bytes produced at once
# After the deadline has shut the connection, how long the fetch waits for its worker
# to finish cleanly before leaving it behind (it may be blocked in a DNS lookup).
_ABANDON_AFTER = 0.5


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for every fetch: seconds, bytes, and whether private hosts are allowed."""

    timeout: float = 20.0
    max_bytes: int = 10_000_000
    allow_private: bool = False


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: the final URL (after redirects), its type and bytes.

    ``status`` is 304 (and ``data`` empty) when a conditional fetch found the resource
    unchanged; ``etag`` and ``last_modified`` are the validators the server sent, to
    send back on the next fetch (see :func:`fetch`).
    """

    url: str
    content_type: str
    data: bytes
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional fetch: nothing to parse."""
        return self.status == 304


class HTTPStatusError(LoadError):
    """An HTTP error status (4xx, 5xx); ``retry_after`` is the server's ``Retry-After``
    header, when it sent one (seconds or an HTTP date, as sent)."""

    def __init__(self, message: str, status: int, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET ``url`` following redirects, every hop checked by :func:`check_url`.

    With ``etag`` or ``last_modified`` (validators from an earlier :class:`Fetched`)
    the GET is conditional (``If-None-Match``, ``If-Modified-Since``): an unchanged
    resource comes back as a 304 with no body (:attr:`Fetched.not_modified`).

    ``policy.timeout`` is one wall-clock deadline for the whole fetch: DNS, connect,
    TLS, every redirect, the headers and the full body. The request runs in a worker
    thread; at the deadline its connection is shut down (which ends any read, however
    slowly a server trickles its headers or body) and the fetch fails, leaving the
    worker behind if it is still blocked (a DNS lookup cannot be interrupted).
    ``policy.max_bytes`` bounds the decoded body, and memory with it: only gzip and
    deflate are asked for and they are decoded in small pieces.
    When private hosts are refused, each request goes to the address that was checked
    (see :func:`pinned_request`), so a second DNS answer cannot point it elsewhere.
    Raises :class:`LoadError` with a message a user can act on (refused, timed out,
    HTTP status, too large).
    """
    clock = _Deadline(url, time.monotonic() + policy.timeout)
    outcome: list[Fetched | BaseException] = []
    finished = threading.Event()

    def work() -> None:
        try:
            outcome.append(_fetch(url, policy, clock, _conditional(etag, last_modified)))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append(exc)
        finally:
            finished.set()

    threading.Thread(target=work, name="newsqa-fetch", daemon=True).start()
    try:
        if not finished.wait(clock.left()):
            clock.expire()  # shuts the connection: a blocked read returns at once
            finished.wait(_ABANDON_AFTER)
    except BaseException:  # KeyboardInterrupt: do not leave the request running
        clock.expire()
        raise
    result = outcome[0] if outcome else None
    if isinstance(result, Fetched):
        return result
    if result is None or clock.expired:
        raise LoadError(f"timed out after {policy.timeout:g} s fetching {clock.url}")
    raise result


class _Deadline:
    """The deadline of one fetch and the connections it opened (to shut them at it)."""

    def __init__(self, url: str, at: float) -> None:
        self.url = url  # the hop being fetched, for messages
        self.at = at
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def left(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore ``trace`` hook: remember every stream opened (TCP, TLS, proxy)."""
        stream = info.get("return_value") if event.endswith(".complete") else None
        get_info = getattr(stream, "get_extra_info", None)
        sock = get_info("socket") if callable(get_info) else None
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            if not self.expired:
                self._sockets.append(sock)
                return
        _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket.shutdown, not SSLSocket's, which also drops the TLS state under the
    # reading thread's feet; a shut socket makes a blocked recv() return at once.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers of a conditional GET (validators that could not be sent are left out).

    >>> _conditional('"v1"', None)
    {'If-None-Match': '"v1"'}
    """
    headers = {"If-None-Match": etag, "If-Modified-Since": last_modified}
    return {k: v for k, v in headers.items() if v and v.isprintable() and v.isascii()}


def _fetch(
    url: str, policy: FetchPolicy, clock: _Deadline, conditional: dict[str, str] | None = None
) -> Fetched:
    import httpx

    current = url
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING, **(conditional or {})}
    with httpx.Client(timeout=policy.timeout, follow_redirects=False, headers=headers) as client:
        for _ in range(_MAX_REDIRECTS + 1):
            clock.url = current
            address = _checked_address(current, policy.allow_private)
            if address is not None and _proxied(current):
                address = None  # the proxy resolves the name; pinning would break its Host
            target, host, extensions = pinned_request(current, address)
            try:
                left = clock.left()
                if left <= 0 or clock.expired:
                    raise httpx.TimeoutException("deadline passed")
                with client.stream(
                    "GET",
                    target,
                    headers=host,
                    extensions={**extensions, "trace": clock.trace},
                    timeout=left,
                ) as response:
                    etag = response.headers.get("etag")
                    modified = response.headers.get("last-modified")
                    if response.status_code == 304:  # unchanged (httpx counts it a redirect)
                        return Fetched(current, "", b"", 304, etag, modified)
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise HTTPStatusError(
                            f"HTTP {response.status_code} {response.reason_phrase} from {current}",
                            response.status_code,
                            response.headers.get("retry-after"),
                        )
                    content_type = response.headers.get("content-type", "")
                    data = _read_limited(response, current, policy.max_bytes)
                    return Fetched(
                        current, content_type.lower(), data, response.status_code, etag, modified
                    )
            except httpx.InvalidURL as exc:  # raised for a redirect's Location too
                raise LoadError(f"invalid URL while fetching {current}: {_short(exc)}") from None
            except httpx.HTTPError as exc:
                if clock.expired or isinstance(exc, httpx.TimeoutException):
                    raise LoadError(
                        f"timed out after {policy.timeout:g} s fetching {current}"
                    ) from None
                if isinstance(exc, httpx.ConnectError):
                    raise LoadError(f"could not connect to {current}: {_short(exc)}") from None
                raise LoadError(f"fetching {current} failed: {_short(exc)}") from None
    raise LoadError(f"too many redirects (more than {_MAX_REDIRECTS}) from {url}")


def check_url(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts on private networks.

    Server-side request forgery guard: loopback, private, link-local, multicast and
    reserved addresses are refused (set ``NEWSQA_ALLOW_PRIVATE_URLS=1`` to allow).
    """
    _checked_address(url, allow_private)


def _checked_address(url: str, allow_private: bool) -> str | None:
    """Check ``url`` as :func:`check_url` does; return the vetted IP to connect to.

    ``None`` when private hosts are allowed (the HTTP client then resolves the name
    itself). Otherwise the request must go to this address: resolving the name a
    second time could give another answer (DNS rebinding) and reach a private host.
    """
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range" ...
        raise LoadError(f"not a valid URL ({exc}): {url}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise LoadError(
            f"only http and https URLs can be fetched, not {parts.scheme or 'this'}: {url}"
        )
    if not host:
        raise LoadError(f"the URL has no host: {url}")
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise LoadError(f"cannot resolve host {host!r}: {exc}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not address.is_global or address.is_multicast:
            raise LoadError(
                f"refusing to fetch {url}: {host} is a private or local address ({address}); "
                "set NEWSQA_ALLOW_PRIVATE_URLS=1 to allow it"
            )
    if not addresses:
        raise LoadError(f"cannot resolve host {host!r}: no addresses")
    return str(addresses[0])


def pinned_request(url: str, address: str | None) -> tuple[str, dict[str, str], dict[str, Any]]:
    """URL, extra headers and httpx extensions that send a request for ``url`` to
    ``address`` (an IP) while the server still sees the URL's host name (``Host``
    header, and TLS SNI and certificate check for https).

    >>> url, headers, extensions = pinned_request("https://news.example:8443/a", "93.184.216.34")
    >>> url
    'https://93.184.216.34:8443/a'
    >>> headers, extensions
    ({'Host': 'news.example:8443'}, {'sni_hostname': 'news.example'})
    >>> pinned_request("http://x.example/a", None)
    ('http://x.example/a', {}, {})
    """
    if address is None:
        return url, {}, {}
    parts = urlsplit(url)
    host = parts.hostname or ""
    userinfo, _, host_header = parts.netloc.rpartition("@")  # credentials stay in the URL
    ip = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if userinfo else "") + (f"{ip}:{parts.port}" if parts.port else ip)
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    extensions = {"sni_hostname": host} if parts.scheme.lower() == "https" else {}
    return target, {"Host": host_header}, extensions


def _proxied(url: str) -> bool:
    """Whether the environment sends ``url`` through a proxy (as httpx will)."""
    from urllib.request import getproxies, proxy_bypass

    proxies = getproxies()
    parts = urlsplit(url)
    if not (proxies.get(parts.scheme.lower()) or proxies.get("all")):
        return False
    return not proxy_bypass(parts.hostname or "")


def _read_limited(response: Any, url: str, max_bytes: int) -> bytes:
    """The body decoded, refused as soon as it passes ``max_bytes``.

    Raw bytes are read as they arrive and decoded here, never more than ``_PIECE``
    bytes at a time, so a compressed bomb is stopped after ``max_bytes`` of output and
    memory holds little more than that.
    """
    too_large = LoadError(f"{url} is larger than the {max_bytes:,}-byte limit")
    codings = _codings(response.headers.get("content-encoding", ""), url)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:  # raw bytes are bounded too
        raise too_large
    raw = 0

    def counted(pieces: Iterable[bytes]) -> Iterator[bytes]:
        nonlocal raw
        for piece in pieces:
            raw += len(piece)
            if raw > max_bytes:  # even compressed it is over the limit
                raise too_large
            yield piece

    buffer = bytearray()
    try:
        for piece in decode(counted(response.iter_raw()), codings):
            buffer += piece
            if len(buffer) > max_bytes:
                raise too_large
    except zlib.error as exc:
        coding = ", ".join(codings)
        raise LoadError(f"fetching {url} failed: the body is not valid {coding}: {exc}") from None
    return bytes(buffer)


def _codings(header: str, url: str) -> list[str]:
    """The content codings of a response, in the order applied; refuses ones not asked for."""
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    for coding in codings:
        if coding not in (*_GZIP, "deflate"):
            raise LoadError(
                f"{url} is compressed with {coding!r}, which newsqa did not ask for "
                f"(it accepts {ACCEPT_ENCODING})"
            )
    return codings


def decode(pieces: Iterable[bytes], codings: list[str]) -> Iterator[bytes]:
    """Undo ``codings`` (applied in that order) on a stream of pieces, yielding pieces of
    at most 64 KiB however much a piece expands.

    >>> import gzip
    >>> bomb = gzip.compress(b"0" * 1_000_000)
    >>> pieces = list(decode([bomb[:500], bomb[500:]], ["gzip"]))
    >>> len(bomb) < 2_000, max(map(len, pieces)), sum(map(len, pieces))
    (True, 65536, 1000000)
    >>> b"".join(decode([zlib.compress(b"plain")], ["deflate"]))
    b'plain'
    """
    stream: Iterable[bytes] = pieces
    for coding in reversed(codings):
        stream = _inflate(stream, coding)
    yield from stream


def _inflate(pieces: Iterable[bytes], coding: str) -> Iterator[bytes]:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), bounded."""
    inflater: Any = None
    head = b""
    for data in pieces:
        if inflater is None:
            head += data
            if coding not in _GZIP and len(head) < 2:
                continue  # the first two bytes tell zlib-wrapped from raw deflate
            inflater = zlib.decompressobj(_wbits(coding, head))
            data, head = head, b""
        yield from _drain(inflater, data)
    if inflater is None:
        if not head:
            return
        inflater = zlib.decompressobj(_wbits(coding, head))
        yield from _drain(inflater, head)
    rest = inflater.flush()  # at most the rest of one deflate match (258 bytes)
    if rest:
        yield rest


def _drain(inflater: Any, data: bytes) -> Iterator[bytes]:
    while data and not inflater.eof:
        out = inflater.decompress(data, _PIECE)
        data = inflater.unconsumed_tail
        if out:
            yield out


def _wbits(coding: str, head: bytes) -> int:
    if coding in _GZIP:
        return zlib.MAX_WBITS | 16
    zlib_header = len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    return zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused"
    return text.splitlines()[0][:200]
