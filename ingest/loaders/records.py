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

_BODY_KEYS = ("body", "text", "content")
_DATE_KEYS = ("published_at", "date", "published")


def load_jsonl(stream: IO[bytes], origin: str, max_line_bytes: int) -> Iterator[Loaded]:
    """One article per line of a ``.jsonl`` file; blank lines are ignored."""
    seen_any = False
    for number, raw in enumerate(stream, start=1):
        where = f"{origin}:{number}"
        if len(raw) > max_line_bytes:
            yield Failure(where, f"record is larger than the {max_line_bytes:,}-byte limit")
            continue
        if not raw.strip():
            continue
        seen_any = True
        try:
            record = json.loads(decode_text(raw, where))
            yield record_to_article(record, where)
        except (LoadError, ValueError) as exc:
            yield Failure(where, _reason(exc))
    if not seen_any:
        yield Failure(origin, "the file is empty")


def load_json(data: bytes, origin: str) -> Iterator[Loaded]:
    """Articles from a ``.json`` file holding one record or a list of records."""
    try:
        value = json.loads(decode_text(data, origin))
    except ValueError as exc:
        raise LoadError(f"invalid JSON: {exc}") from None
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
    body = next((record[k] for k in _BODY_KEYS if isinstance(record.get(k), str)), None)
    if not body or not body.strip():
        raise LoadError("record has no 'body' or 'text'")
    body = body.strip()
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
    return str(exc)
