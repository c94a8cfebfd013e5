"""The Library tab's work: list articles, stage uploads safely, check pasted URLs."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from ingest.sources import FILE_TYPES
from ui.show import completeness_label
from vectorstore.store import DONE, ArticleRecord

COLUMNS = ["Title", "Outlet", "Published", "Text", "Chunks", "Ingested at", "ID"]
DATATYPES: list[Literal["str", "number"]] = ["str", "str", "str", "str", "number", "str", "str"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PATH_SEPARATOR = re.compile(r"[\\/]")
MAX_NAME = 120


def supported_types() -> str:
    """Supported upload extensions, e.g. ``.atom, .htm, .html, ...``."""
    return ", ".join(sorted(FILE_TYPES))


def human_bytes(n: int) -> str:
    """``10000000`` -> ``10 MB`` (decimal units, as people read file sizes)."""
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"


def _ingested(text: str) -> str:
    # "2024-06-14T10:22:05+00:00" reads better as "2024-06-14 10:22 UTC".
    if len(text) >= 16 and text[10] == "T":
        return f"{text[:10]} {text[11:16]}" + (" UTC" if text.endswith("+00:00") else "")
    return text


def library_rows(records: Iterable[ArticleRecord]) -> list[list[Any]]:
    """Table rows for finished articles, newest publication first (undated last)."""
    done = [r for r in records if r.status == DONE]
    done.sort(key=lambda r: (r.published_at or "", r.ingested_at), reverse=True)
    return [
        [
            r.title or "(untitled)",
            r.source or "",
            (r.published_at or "")[:10],
            completeness_label(r.completeness),
            r.n_chunks,
            _ingested(r.ingested_at),
            r.id,
        ]
        for r in done
    ]


def outlets(records: Iterable[ArticleRecord]) -> list[str]:
    """Distinct outlet names, sorted case-insensitively."""
    return sorted({r.source for r in records if r.source and r.status == DONE}, key=str.casefold)


def date_span(records: Iterable[ArticleRecord]) -> tuple[str, str] | None:
    """Earliest and latest publication day of finished articles, if any are dated."""
    days = sorted(r.published_at[:10] for r in records if r.published_at and r.status == DONE)
    return (days[0], days[-1]) if days else None


def safe_name(name: str) -> str:
    """A file name with no directory part, no leading dots and only ``[A-Za-z0-9._-]``.

    >>> safe_name("../../etc/passwd.txt"), safe_name("C:\\\\x\\\\My news.md"), safe_name("..")
    ('passwd.txt', 'My_news.md', 'upload')
    """
    base = _PATH_SEPARATOR.split(name)[-1]
    cleaned = _UNSAFE.sub("_", base).lstrip(".").strip("_") or "upload"
    if len(cleaned) > MAX_NAME:
        stem, suffix = os.path.splitext(cleaned)
        cleaned = stem[: MAX_NAME - len(suffix)] + suffix
    return cleaned


@dataclass
class Staged:
    """Uploads copied into a private folder, ready to ingest; and those refused."""

    paths: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    rejected: list[tuple[str, str]] = field(default_factory=list)


def stage_uploads(uploads: Sequence[str], folder: Path, max_bytes: int) -> Staged:
    """Copy each uploaded file (a path Gradio saved) into a new private folder under
    ``folder``, with a safe name.

    Unsupported types, empty and oversized files are refused with a reason. Every
    upload gets a folder of its own, so two uploads never share a path (two
    ``report.txt``, or ``报道1.txt`` and ``新闻1.txt`` that both sanitise to ``1.txt``);
    ingest them with ``SourceOptions(uploads=staged.names)`` so their identity comes
    from their content. Nothing outside ``folder`` is ever written.

    Example:
        >>> import tempfile; d = Path(tempfile.mkdtemp())
        >>> for name in ("报道1.txt", "新闻1.txt"):
        ...     _ = (d / name).write_text(name)
        >>> staged = stage_uploads([str(d / "报道1.txt"), str(d / "新闻1.txt")], d / "up", 99)
        >>> len(set(staged.paths)), sorted(staged.names.values())
        (2, ['报道1.txt', '新闻1.txt'])
    """
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    batch = Path(tempfile.mkdtemp(prefix="batch-", dir=folder))
    staged = Staged()
    used: set[str] = set()
    for upload in uploads:
        source = Path(upload)
        # Gradio keeps the original name as the last path part of its cached copy.
        original = source.name
        name = safe_name(original)
        suffix = Path(name).suffix.lower()
        if suffix not in FILE_TYPES:
            staged.rejected.append(
                (
                    original,
                    f"unsupported file type {suffix or '(none)'}; supported: {supported_types()}",
                )
            )
            continue
        try:
            size = source.stat().st_size
        except OSError as exc:
            staged.rejected.append((original, f"could not read the upload ({exc.strerror})"))
            continue
        if size > max_bytes:
            too_big = f"the file is {human_bytes(size)}, over the {human_bytes(max_bytes)} limit"
            staged.rejected.append((original, too_big))
            continue
        if size == 0:
            staged.rejected.append((original, "the file is empty"))
            continue
        while name in used:
            stem, ext = os.path.splitext(name)
            name = f"{stem}_{len(used)}{ext}"
        used.add(name)
        target = batch / name
        shutil.copyfile(source, target)
        staged.paths.append(str(target))
        staged.names[str(target)] = original
    if not staged.paths:
        batch.rmdir()
    return staged


def parse_urls(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Pasted http(s) URLs (one per line or separated by spaces), and refused entries.

    Anything else, such as a local path or a ``file://`` URL, is refused: a browser
    user must not make the server read its own files.

    >>> parse_urls("https://a.org/x\\nfile:///etc/passwd")
    (['https://a.org/x'], [('file:///etc/passwd', 'only http:// and https:// URLs can be added')])
    """
    urls: list[str] = []
    refused: list[tuple[str, str]] = []
    for item in (text or "").split():
        parts = urlsplit(item)
        if parts.scheme.lower() in ("http", "https") and parts.netloc:
            if item not in urls:
                urls.append(item)
        else:
            refused.append((item, "only http:// and https:// URLs can be added"))
    return urls, refused


def expected_articles(paths: Sequence[str], urls: Sequence[str]) -> int | None:
    """How many articles the staged files hold, when that is known without parsing
    (JSON Lines: one per non-blank line; text, Markdown, HTML: one); else ``None``."""
    if urls:
        return None
    total = 0
    for path in paths:
        kind = FILE_TYPES.get(Path(path).suffix.lower())
        if kind == "jsonl":
            with open(path, "rb") as stream:
                total += sum(1 for line in stream if line.strip())
        elif kind in ("text", "markdown", "html"):
            total += 1
        else:
            return None
    return total


def remove_staged(paths: Iterable[str]) -> None:
    """Delete staged copies once ingested (the store keeps the text), and their
    batch folders when empty."""
    for path in paths:
        with contextlib.suppress(OSError):
            os.remove(path)
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(path))
