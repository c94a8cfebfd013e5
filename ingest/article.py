"""The article model: identity, content hash and normalised metadata."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_[a-z]+|ref|ocid|cmpid)$", re.I)
_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
_DATE_ONLY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]")
_WHITESPACE = re.compile(r"\s+")
# Written-out dates common in bylines and front matter ("June 14, 2024").
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%b. %d, %Y", "%d %B %Y", "%d %b %Y")
FULL, TEASER, PAYWALLED = "full", "teaser", "paywalled"


@dataclass(frozen=True)
class Article:
    """One news article, as loaded from a file, record, feed entry or URL.

    ``id`` is stable across re-ingests (see :func:`article_id`); ``content_hash``
    changes whenever anything a reader would see changes.
    """

    id: str
    title: str
    body: str
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    author: str | None = None
    origin: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)
    # The input the article came from (a file's absolute path, a page or feed URL,
    # ``upload:NAME``): what may replace it is decided by it (see ingest.policy).
    provenance: str = ""
    # ``full``; ``teaser`` when only a feed's summary could be had; ``paywalled`` when
    # the page showed a stub and a subscription prompt instead of the article.
    completeness: str = FULL
    # When the page says the article was last updated (``published_at`` stays the
    # first publication); not part of the content hash.
    updated_at: str | None = None

    @property
    def content_hash(self) -> str:
        """SHA-256 over the normalised text and metadata: decides skip or replace."""
        parts = [self.title, self.body, self.source, self.url, self.published_at, self.author]
        joined = "\x1f".join(normalize_text(p or "") for p in parts)
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()

    @property
    def published_ts(self) -> int | None:
        """``published_at`` as a UTC Unix timestamp (for date-range filters)."""
        return to_timestamp(self.published_at)

    @property
    def input(self) -> str:
        """Where the article came from, for the overwrite policy: its provenance, else
        its origin."""
        return self.provenance or self.origin

    @property
    def label(self) -> str:
        """How to name this article in messages: its title, else its origin."""
        return self.title or self.origin or self.id


def normalize_text(text: str) -> str:
    """NFC, unified whitespace, stripped: equal for texts a reader sees as equal."""
    text = unicodedata.normalize("NFC", text)
    return _WHITESPACE.sub(" ", text).strip()


def canonical_url(url: str) -> str:
    """Lower-case scheme/host, no fragment, no tracking parameters, no trailing slash.

    Query parameters are sorted, and a port is dropped only when it is the scheme's
    default.

    >>> canonical_url("HTTPS://Example.com/a/?utm_source=x&id=3#top")
    'https://example.com/a?id=3'
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "https://]]>x.org/a": not a URL, but still this text's identity
        return url.strip()
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    ]
    query.sort()  # parameter order does not change which page is meant
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    default = _DEFAULT_PORTS.get(scheme)
    if default and netloc.endswith(default):
        netloc = netloc[: -len(default)]
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def host_of(url: str | None) -> str:
    """A URL's host without ``www.``, lower-cased; ``""`` for no or a malformed URL.

    >>> host_of("https://www.Zeit.de/x"), host_of("https://]]>x.org/a"), host_of(None)
    ('zeit.de', '', '')
    """
    if not url:
        return ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def article_id(record_id: str | None, url: str | None, title: str, body: str) -> str:
    """Identity: the record's id, else a hash of the canonical URL, else of the text.

    Ids are safe for Chroma and shell use (``[A-Za-z0-9._-]``); URL and text hashes are
    16 hex characters, prefixed ``u`` and ``h`` so the kind of identity stays visible.

    >>> article_id("mhr-a001", None, "t", "b")
    'mhr-a001'
    >>> a = article_id(None, "https://x.org/a", "t", "b")
    >>> a == article_id(None, "https://X.org/a/", "", "")
    True
    """
    if record_id is not None and str(record_id).strip():
        cleaned = _ID_CHARS.sub("_", str(record_id).strip()).strip("_")
        if cleaned:
            return cleaned[:200]
    if url:
        return "u" + _short_hash(canonical_url(url))
    return "h" + _short_hash(normalize_text(title).casefold() + "\n" + normalize_text(body))


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def normalize_date(value: object) -> str | None:
    """ISO 8601 text for dates given as strings, datetimes, dates, time tuples or Unix
    seconds.

    Unparseable values give ``None`` rather than a wrong date; a date without a time
    stays a date (no midnight is invented).

    >>> normalize_date("2023-10-30T14:05:00+00:00")
    '2023-10-30T14:05:00+00:00'
    >>> normalize_date("Mon, 30 Oct 2023 14:05:00 GMT")
    '2023-10-30T14:05:00+00:00'
    >>> normalize_date("2024-06-14")
    '2024-06-14'
    """
    if value is None or isinstance(value, bool) or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):  # time.struct_time from feedparser (always UTC)
        try:
            year, month, day, hour, minute, second = value[:6]
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
        except (TypeError, ValueError):
            return None
    if isinstance(value, int | float):  # Unix seconds, as some JSON exports store dates
        try:
            return datetime.fromtimestamp(value, UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _DATE_ONLY.match(text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    match = _DATE_PREFIX.match(text)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    return None


def to_timestamp(iso: str | None) -> int | None:
    """UTC Unix seconds for an ISO date/datetime (naive values are taken as UTC)."""
    if not iso:
        return None
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
