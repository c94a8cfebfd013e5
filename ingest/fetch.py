"""Fetching articles and feeds over http(s): bounded in time and size, SSRF-guarded."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from ingest.loaders.base import LoadError

USER_AGENT = "newsqa/0.1 (+https://github.com/newsqa/newsqa)"
_MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for every fetch: seconds, bytes, and whether private hosts are allowed."""

    timeout: float = 20.0
    max_bytes: int = 10_000_000
    allow_private: bool = False


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: the final URL (after redirects), its type and bytes."""

    url: str
    content_type: str
    data: bytes


def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """GET ``url`` following redirects, every hop checked by :func:`check_url`.

    ``policy.timeout`` bounds the whole fetch (all redirects and the full body), not
    just each network read: a server trickling bytes cannot hold a worker forever.
    When private hosts are refused, each request goes to the address that was checked
    (see :func:`pinned_request`), so a second DNS answer cannot point it elsewhere.
    Raises :class:`LoadError` with a message a user can act on (refused, timed out,
    HTTP status, too large).
    """
    import httpx

    deadline = time.monotonic() + policy.timeout
    current = url
    with httpx.Client(
        timeout=policy.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _ in range(_MAX_REDIRECTS + 1):
            address = _checked_address(current, policy.allow_private)
            if address is not None and _proxied(current):
                address = None  # the proxy resolves the name; pinning would break its Host
            target, headers, extensions = pinned_request(current, address)
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise httpx.TimeoutException("deadline passed")
                with client.stream(
                    "GET", target, headers=headers, extensions=extensions, timeout=left
                ) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise LoadError(
                            f"HTTP {response.status_code} {response.reason_phrase} from {current}"
                        )
                    data = _read_limited(response, policy.max_bytes, deadline)
                    content_type = response.headers.get("content-type", "")
                    return Fetched(current, content_type.lower(), data)
            except httpx.TimeoutException:
                raise LoadError(
                    f"timed out after {policy.timeout:g} s fetching {current}"
                ) from None
            except httpx.ConnectError as exc:
                raise LoadError(f"could not connect to {current}: {_short(exc)}") from None
            except httpx.InvalidURL as exc:  # raised for a redirect's Location too
                raise LoadError(f"invalid URL while fetching {current}: {_short(exc)}") from None
            except httpx.HTTPError as exc:
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


def _read_limited(response: Any, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise LoadError(f"{response.url} is larger than the {max_bytes:,}-byte limit")
    buffer = bytearray()
    for piece in response.iter_bytes():
        buffer += piece
        if len(buffer) > max_bytes:
            raise LoadError(f"{response.url} is larger than the {max_bytes:,}-byte limit")
        if time.monotonic() > deadline:
            raise LoadError(f"timed out reading {response.url} (the server sends too slowly)")
    return bytes(buffer)


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "[Errno 111]" in text:
        return "connection refused"
    return text.splitlines()[0][:200]
