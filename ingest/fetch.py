"""Fetching articles and feeds over http(s): bounded in time and size, SSRF-guarded."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

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

    Raises :class:`LoadError` with a message a user can act on (refused, timed out,
    HTTP status, too large).
    """
    import httpx

    current = url
    with httpx.Client(
        timeout=policy.timeout, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    ) as client:
        for _ in range(_MAX_REDIRECTS + 1):
            check_url(current, policy.allow_private)
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise LoadError(
                            f"HTTP {response.status_code} {response.reason_phrase} from {current}"
                        )
                    data = _read_limited(response, policy.max_bytes)
                    content_type = response.headers.get("content-type", "")
                    return Fetched(str(response.url), content_type.lower(), data)
            except httpx.TimeoutException:
                raise LoadError(
                    f"timed out after {policy.timeout:g} s fetching {current}"
                ) from None
            except httpx.ConnectError as exc:
                raise LoadError(f"could not connect to {current}: {_short(exc)}") from None
            except httpx.HTTPError as exc:
                raise LoadError(f"fetching {current} failed: {_short(exc)}") from None
    raise LoadError(f"too many redirects (more than {_MAX_REDIRECTS}) from {url}")


def check_url(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) URLs and, unless allowed, hosts on private networks.

    Server-side request forgery guard: loopback, private, link-local, multicast and
    reserved addresses are refused (set ``NEWSQA_ALLOW_PRIVATE_URLS=1`` to allow).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise LoadError(
            f"only http and https URLs can be fetched, not {parts.scheme or 'this'}: {url}"
        )
    host = parts.hostname
    if not host:
        raise LoadError(f"the URL has no host: {url}")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise LoadError(f"cannot resolve host {host!r}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            raise LoadError(
                f"refusing to fetch {url}: {host} is a private or local address ({address}); "
                "set NEWSQA_ALLOW_PRIVATE_URLS=1 to allow it"
            )


def _read_limited(response: object, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")  # type: ignore[attr-defined]
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise LoadError(f"{response.url} is larger than the {max_bytes:,}-byte limit")  # type: ignore[attr-defined]
    buffer = bytearray()
    for piece in response.iter_bytes():  # type: ignore[attr-defined]
        buffer += piece
        if len(buffer) > max_bytes:
            raise LoadError(f"{response.url} is larger than the {max_bytes:,}-byte limit")  # type: ignore[attr-defined]
    return bytes(buffer)


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "Connection refused" in text or "111" in text:
        return "connection refused"
    return text.splitlines()[0][:200]
