"""JSON and JSON Lines records: ``{id?, title, body|text, url?, source?, published_at?, author?}``.

JSON Lines files are read line by line, so a corpus of any size streams through in
constant memory; one bad line fails alone and the rest of the file still loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from ingest.article import Article, article_id, normalize_date
from ingest.loaders.base import Failure, Loaded, LoadError, decode_text
from ingest.loaders.feed import PageLoader
from ingest.loaders.jsonfeed import is_json_feed, load_json_feed

_BODY_KEYS = ("body", "text", "content")
_DATE_KEYS = ("published_at", "date", "published")


def load_jsonl(stream: IO[bytes], origin: str, max_line_bytes: int) -> Iterator[Loaded]:
    """One article per line of a ``.jsonl`` file; blank lines are ignored.

    Lines are read with a bound, so an over-long line costs no more memory than the
    limit; a binary file fails once, not once per "line".
    """
    if stream.seekable():
        head = stream.read(65536)
        if b"\x00" in head:
            raise LoadError("this is a binary file, not JSON Lines")
        stream.seek(0)
    seen_any = False
    for number, raw in enumerate(_bounded_lines(stream, max_line_bytes), start=1):
        where = f"{origin}:{number}"
        if raw is None:
            seen_any = True
            yield Failure(where, f"record is larger than the {max_line_bytes:,}-byte limit")
            continue
        if not raw.strip():
            continue
        seen_any = True
        try:
            record = json.loads(decode_text(raw, where))
            yield record_to_article(record, where)
        except (LoadError, ValueError, RecursionError) as exc:
            yield Failure(where, _reason(exc))
    if not seen_any:
        yield Failure(origin, "the file is empty")


def _bounded_lines(stream: IO[bytes], limit: int) -> Iterator[bytes | None]:
    """The lines of ``stream``; ``None`` for a line longer than ``limit`` bytes."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or (line.endswith(b"\n") and len(line) == limit + 1):
            yield line
            continue
        while line and not line.endswith(b"\n"):  # skip the rest of the long line
            line = stream.readline(1 << 20)
        yield None


def load_json(
    data: bytes, origin: str, fetch_page: PageLoader | None = None, max_entries: int = 1000
) -> Iterator[Loaded]:
    """Articles from a ``.json`` file holding one record, a list of records or a JSON
    Feed (whose teaser items get their text fetched with ``fetch_page``)."""
    try:
        value = json.loads(decode_text(data, origin))
    except ValueError as exc:
        raise LoadError(f"invalid JSON: {exc}") from None
    except RecursionError as exc:
        raise LoadError(_reason(exc)) from None
    if isinstance(value, list) and not value:
        raise LoadError("the JSON list holds no records")
    if is_json_feed(value):
        yield from load_json_feed(value, origin, fetch_page, max_entries)
        return
    records: Iterable[Any] = value if isinstance(value, list) else [value]
    for number, record in enumerate(records, start=1):
        where = f"{origin}[{number}]" if isinstance(value, list) else origin
        try:
            yield record_to_article(record, where)
        except LoadError as exc:
            yield Failure(where, str(exc))


def record_to_article(record: Any, origin: str) -> Article:
    """An :class:`Article` from one record (raises :class:`LoadError` if unusable)."""
    if not isinstance(record, dict):
        raise LoadError(f"expected a JSON object, got {type(record).__name__}")
    body = next(
        (v.strip() for k in _BODY_KEYS if isinstance(v := record.get(k), str) and v.strip()),
        None,
    )
    if not body:
        raise LoadError("record has no 'body' or 'text'")
    title = _text(record.get("title")) or body.split("\n", 1)[0][:200]
    url = _text(record.get("url"))
    date = next((record[k] for k in _DATE_KEYS if record.get(k)), None)
    return Article(
        id=article_id(_text(record.get("id")), url, title, body),
        title=title,
        body=body,
        source=_text(record.get("source")),
        url=url,
        published_at=normalize_date(date),
        author=_text(record.get("author")),
        origin=origin,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg} at column {exc.colno}"
    if isinstance(exc, RecursionError):  # "[[[[..." thousands deep: not an article
        return "invalid JSON: nested too deeply"
    return str(exc)
