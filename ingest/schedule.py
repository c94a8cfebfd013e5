"""When a watched feed is polled next: its interval, the feed's ``ttl``, the server's
``Retry-After``, and exponential backoff with jitter after errors."""

from __future__ import annotations

import random
import re
from email.utils import parsedate_to_datetime

DEFAULT_EVERY = 15 * 60.0
MIN_EVERY = 60.0  # no feed is polled more often than once a minute
MAX_WAIT = 24 * 3600.0  # a feed's ttl or a Retry-After never delays a poll longer
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_EVERY = re.compile(r"(\d{1,6}(?:\.\d{1,3})?)([smhd])", re.I)
_TTL = re.compile(r"<ttl>\s{0,20}(\d{1,7})\s{0,20}</ttl>", re.I)
_TTL_HEAD = 65536  # a channel's ttl comes before its items


def parse_every(text: str) -> float:
    """Seconds of an interval like ``90s``, ``15m``, ``2h``, ``1d`` or ``1h30m``; at
    least a minute.

    >>> parse_every("15m"), parse_every("1h30m"), parse_every(" 2H ")
    (900.0, 5400.0, 7200.0)
    >>> parse_every("15")
    Traceback (most recent call last):
    ...
    ValueError: '15' is not an interval: use a number and a unit, e.g. 90s, 15m, 2h, 1d
    """
    compact = text.strip().lower()
    parts = _EVERY.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(
            f"{text!r} is not an interval: use a number and a unit, e.g. 90s, 15m, 2h, 1d"
        )
    seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < MIN_EVERY:
        raise ValueError(f"{text!r} is too often: poll a feed at most once a minute (1m)")
    return seconds


def format_every(seconds: float) -> str:
    """``900`` -> ``15m``; the largest units that say it exactly.

    >>> format_every(900), format_every(5400), format_every(86400), format_every(45)
    ('15m', '1h30m', '1d', '45s')
    """
    left = round(seconds)
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            out += f"{left // size}{unit}"
            left %= size
    return out or "0s"


def success_delay(every: float, ttl: float | None) -> float:
    """Seconds until the next poll after a successful one: the feed's interval, or its
    ``ttl`` when that asks for longer (capped at a day).

    >>> success_delay(900, None), success_delay(900, 3600), success_delay(900, 10**9)
    (900, 3600, 86400.0)
    """
    return max(every, min(ttl or 0, MAX_WAIT))


def backoff_delay(failures: int, rng: random.Random, every: float = 0.0) -> float:
    """Seconds to wait after the ``failures``-th error in a row: a minute, doubling
    with each error up to 6 hours (or the feed's interval, when longer), with "equal
    jitter" (half of it fixed, half random), so feeds that failed together spread out
    and each wait is at least as long as the one before it.

    >>> rng = random.Random(0)
    >>> [round(backoff_delay(n, rng)) for n in (1, 2, 3)]
    [55, 105, 170]
    """
    cap = max(BACKOFF_CAP, every)
    delay = min(cap, BACKOFF_BASE * 2 ** min(max(failures, 1) - 1, 30))
    return delay / 2 + rng.uniform(0, delay / 2)


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number of seconds or an HTTP
    date; at most a day); ``None`` when absent or unreadable.

    >>> retry_after_seconds("120", 0.0), retry_after_seconds("soon", 0.0)
    (120.0, None)
    >>> retry_after_seconds("Thu, 01 Jan 1970 00:10:00 GMT", 0.0)
    600.0
    """
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return min(float(text), MAX_WAIT)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        return None
    return min(max(0.0, moment.timestamp() - now), MAX_WAIT)


def feed_ttl(data: bytes) -> float | None:
    """Seconds of an RSS channel's ``<ttl>`` (given in minutes), if it has one.

    >>> feed_ttl(b"<rss><channel><title>x</title><ttl>60</ttl><item/></channel></rss>")
    3600.0
    >>> feed_ttl(b"<feed/>") is None
    True
    """
    head = data[:_TTL_HEAD].decode("utf-8", errors="replace")
    match = _TTL.search(head)
    return float(match.group(1)) * 60 if match else None
