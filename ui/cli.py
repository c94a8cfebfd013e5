"""The ``newsqa`` command: ingest, ask, chat, serve, mcp, stats, check, delete, eval.

Exit codes: 0 ok, 1 something failed (the message says what), 2 bad usage or
configuration, 3 partial success (an ingest where some inputs failed).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from newsqa import __version__
from newsqa.settings import DEFAULT_STEPS_OFF, LLM_BACKENDS, Settings, SettingsError, steps_off

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
_WAIT_HELP = "seconds to wait for another ingest to finish (default 120)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="newsqa",
        description="Ask questions about news articles; every claim is cited.",
        epilog="Configuration comes from NEWSQA_* environment variables (see README); "
        "flags override them.",
    )
    parser.add_argument("--version", action="version", version=f"newsqa {__version__}")
    parser.add_argument("--home", help="data directory (NEWSQA_HOME, default ./.newsqa)")
    parser.add_argument("--chroma-url", help="Chroma server URL (NEWSQA_CHROMA_URL)")
    parser.add_argument("--collection", help="store name (NEWSQA_COLLECTION)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="add or update articles from files, folders, URLs, feeds")
    p.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--wait", type=float, help=_WAIT_HELP)
    p.add_argument(
        "--replace",
        action="store_true",
        help="accept updates the overwrite policy refuses (from another input, or much "
        "shorter); previous versions are kept",
    )
    p.add_argument(
        "--allow-private-urls",
        action="store_true",
        default=None,
        help="allow fetching from loopback/private addresses",
    )

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--llm", choices=LLM_BACKENDS, help="backend (NEWSQA_LLM)")
    p.add_argument("-k", type=int, help="passages to retrieve (NEWSQA_TOP_K)")
    p.add_argument("--source", action="append", help="only this outlet (repeatable)")
    p.add_argument("--after", help="only articles published on/after this date")
    p.add_argument("--before", help="only articles published on/before this date")
    p.add_argument(
        "--as-of",
        help="the day the question is asked (YYYY-MM-DD; default today): \"last week\" "
        "counts from it, later articles are left out",
    )

    p = sub.add_parser("timeline", help="what the articles on a topic said, day by day")
    p.add_argument("topic")
    p.add_argument("--json", action="store_true", help="print the timeline as JSON")
    p.add_argument("--as-of", help="leave out articles published after this day (YYYY-MM-DD)")
    p.add_argument("-n", type=int, default=12, help="stories to show at most (default 12)")

    p = sub.add_parser("chat", help="serve the browser chat")
    p.add_argument("--host", help="address to bind (NEWSQA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (NEWSQA_PORT, default 7860)")
    p.add_argument("--auth", help="user:password, required with a non-loopback --host")
    p.add_argument("--llm", choices=LLM_BACKENDS, help="backend (NEWSQA_LLM)")
    p.add_argument("--watch", action="store_true", help="also poll the watched feeds")

    p = sub.add_parser("serve", help="serve the HTTP API (OpenAI-compatible chat at /v1)")
    p.add_argument("--host", help="address to bind (NEWSQA_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (NEWSQA_PORT, default 7860)")
    p.add_argument("--auth", help="user:password, required with a non-loopback --host")
    p.add_argument("--llm", choices=LLM_BACKENDS, help="backend (NEWSQA_LLM)")

    p = sub.add_parser("mcp", help="serve the MCP tools on stdin/stdout")
    p.add_argument("--llm", choices=LLM_BACKENDS, help="backend (NEWSQA_LLM)")

    sub.add_parser("stats", help="what the store holds")

    p = sub.add_parser("check", help="verify the store (orphans, missing chunks, hashes)")
    p.add_argument("--repair", action="store_true", help="fix what is found")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--wait", type=float, help=_WAIT_HELP)

    p = sub.add_parser("delete", help="remove an article, its chunks and its history")
    p.add_argument("article_id")

    p = sub.add_parser("history", help="an article's current and previous versions")
    p.add_argument("article_id")
    p.add_argument("--json", action="store_true", help="print the versions as JSON")

    p = sub.add_parser("restore", help="make a previous version of an article current again")
    p.add_argument("article_id")
    p.add_argument("version", nargs="?", help="a version from `newsqa history` (default: newest)")
    p.add_argument("--wait", type=float, help=_WAIT_HELP)

    p = sub.add_parser("model", help="prepare the default local model (join and verify)")

    p = sub.add_parser(
        "eval", help="measure retrieval and answer quality (MultiHop-RAG or ordinary questions)"
    )
    p.add_argument("--articles", required=True, help="articles .jsonl to ingest")
    p.add_argument("--questions", required=True, help="questions .jsonl with gold answers")
    p.add_argument("--store", help="data dir of the eval store (default: HOME/eval/NAME)")
    p.add_argument("--k", type=int, default=10, help="passages retrieved per question")
    p.add_argument(
        "--llm",
        choices=(*LLM_BACKENDS, "none"),
        default="none",
        help="answer backend; none = retrieval only (default)",
    )
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--out", help="output dir (default eval-out/QUESTIONS-LLM)")
    p.add_argument(
        "--split",
        choices=("dev", "test", "all"),
        default="all",
        help="only questions of this split (questions without one always run; default all)",
    )
    p.add_argument(
        "--as-of", help="ISO date the questions are asked on, unless a question has its own"
    )
    p.add_argument(
        "--off",
        metavar="NAMES",
        help="answer-pipeline steps to switch off (a,b,c; none: all on; default: "
        + ",".join(sorted(DEFAULT_STEPS_OFF))
        + ")",
    )
    p.add_argument(
        "--json", action="store_true", help="print the summary as JSON instead of Markdown"
    )

    p = sub.add_parser("show", help="print stored articles (title, outlet, dates, text)")
    p.add_argument("article_ids", nargs="+", metavar="ID")
    p.add_argument("--json", action="store_true", help="print the articles as JSON")

    p = sub.add_parser(
        "eval-extraction", help="score title/date/author/text extraction on labelled real pages"
    )
    p.add_argument(
        "--pages", default="../shared/eval/realpages", help="folder with labels.jsonl and pages/"
    )
    p.add_argument("--store", help="data dir of the eval store (default: HOME/eval/extraction)")
    p.add_argument("--out", default="eval-out/extraction", help="output dir")
    p.add_argument("--limit", type=int, help="only the first N pages")
    p.add_argument(
        "--no-reference", action="store_true", help="skip the plain trafilatura comparison"
    )
    from ui.watch_cli import add_parsers as add_watch_parsers  # watch, feeds

    add_watch_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsqa`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(
            home=_path(args.home),
            chroma_url=args.chroma_url,
            collection=args.collection,
            llm=_backend(getattr(args, "llm", None)),
            top_k=getattr(args, "k", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
            auth=getattr(args, "auth", None),
            allow_private_urls=getattr(args, "allow_private_urls", None),
        )
    except SettingsError as exc:
        print(f"newsqa: {exc}", file=sys.stderr)
        return EXIT_USAGE
    handler = {
        "ingest": cmd_ingest,
        "ask": cmd_ask,
        "timeline": cmd_timeline,
        "chat": cmd_chat,
        "serve": cmd_serve,
        "mcp": cmd_mcp,
        "stats": cmd_stats,
        "check": cmd_check,
        "delete": cmd_delete,
        "history": cmd_history,
        "restore": cmd_restore,
        "model": cmd_model,
        "eval": cmd_eval,
        "show": cmd_show,
        "eval-extraction": cmd_eval_extraction,
        "watch": cmd_watch,
        "feeds": cmd_feeds,
    }[args.command]
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        print("newsqa: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        known = _known_error(exc)
        if known is None:
            raise
        print(f"newsqa: {known}", file=sys.stderr)
        return EXIT_FAIL


def _known_error(exc: Exception) -> str | None:
    from rag.llm import LLMError
    from rag.model_files import ModelFileError
    from vectorstore.store import StoreError

    if isinstance(exc, StoreError | LLMError | ModelFileError | SettingsError | ValueError):
        return str(exc)
    return None


def _backend(value: str | None) -> str | None:
    return None if value == "none" else value


def _path(value: str | None) -> Any:
    from pathlib import Path

    return Path(value).expanduser() if value else None


def source_options(settings: Settings) -> Any:
    """Loader limits from settings."""
    from ingest.fetch import FetchPolicy
    from ingest.sources import SourceOptions

    return SourceOptions(
        fetch=FetchPolicy(settings.fetch_timeout, settings.max_bytes, settings.allow_private_urls),
        max_bytes=settings.max_bytes,
        max_feed_entries=settings.max_feed_entries,
        feed_deadline=settings.feed_deadline,
    )


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa ingest PATH_OR_URL...``"""
    from ingest.pipeline import Progress, ingest
    from vectorstore.store import Store

    bar = None if args.json or not settings.progress else _progress_bar("articles", args)

    def on_progress(event: Progress) -> None:
        if bar is not None:
            bar.update(event.done - bar.n)

    store = Store(settings)
    report = ingest(
        args.inputs,
        store,
        source_options(settings),
        settings.chunk_chars,
        on_progress,
        wait=args.wait,
        on_wait=_notice,
        replace=args.replace,
    )
    if bar is not None:
        bar.close()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.summary())
        for line in report.details():
            print("  " + line)
    if report.failed:
        nothing = not (report.added or report.updated or report.unchanged or report.duplicates)
        return EXIT_FAIL if nothing else EXIT_PARTIAL
    return EXIT_OK


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa ask QUESTION``: lists the sources found, streams the answer, then the quotes."""
    from rag.answer import Answerer
    from rag.query import QuestionError, check_question
    from rag.types import Answer, Filters, Retrieval
    from rag.when import as_date

    try:
        check_question(args.question)
        as_of = as_date(args.as_of) if args.as_of else None
    except (QuestionError, ValueError) as exc:  # bad usage: say what to change, first
        print(f"newsqa: {exc}", file=sys.stderr)
        return EXIT_USAGE
    where = Filters(tuple(args.source or ()), args.after, args.before)
    answerer = Answerer(settings)
    final: Answer | None = None
    for event in answerer.stream(
        args.question, k=args.k, where=None if where.is_empty() else where, as_of=as_of
    ):
        if isinstance(event, Retrieval):
            if not args.json:  # the sources are known before the model starts: show them
                _print_sources(event)
            continue
        if isinstance(event, Answer):
            final = event
        elif not args.json and sys.stdout.isatty():
            print(event, end="", flush=True)
    assert final is not None
    if args.json:
        print(json.dumps(final.to_dict(), indent=2, ensure_ascii=False))
        return EXIT_OK
    if sys.stdout.isatty():
        print("\r\033[K", end="")
    print(final.text)
    for note in [] if final.declined else final.notes:  # a decline's text holds its notes
        print(f"({note})")
    if final.fallback_reason:
        print(f"(extractive answer: {final.fallback_reason})")
    for c in final.citations:
        partial = {"teaser": "teaser only", "paywalled": "paywalled"}.get(c.completeness)
        day = c.published_at and c.published_at[:10]
        meta = ", ".join(x for x in (c.source, day, partial) if x)
        print(f"\n[{c.n}] {c.title}" + (f" ({meta})" if meta else ""))
        if c.url:
            print(f"    {c.url}")
        print(f"    “{c.quote}”")
    return EXIT_OK


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa timeline TOPIC``: the topic's stories by day, each a cited quote."""
    from dataclasses import asdict

    from rag.query import QuestionError, check_question
    from rag.retrieve import retriever_for
    from rag.timeline import build_timeline
    from rag.when import as_date

    try:
        check_question(args.topic)
        as_of = as_date(args.as_of) if args.as_of else None
        if args.n < 1:
            raise ValueError("-n must be at least 1")
    except (QuestionError, ValueError) as exc:
        print(f"newsqa: {exc}", file=sys.stderr)
        return EXIT_USAGE
    timeline = build_timeline(args.topic, retriever_for(settings), as_of, args.n)
    if args.json:
        print(json.dumps(asdict(timeline), indent=2, ensure_ascii=False))
        return EXIT_OK
    if not timeline.entries:
        print(f"No stored article is about {args.topic!r}.")
    for note in timeline.notes:
        print(f"({note})")
    for day, entries in timeline.by_day().items():
        print(day)
        for e in entries:
            c = e.citation
            also = f"; also {', '.join(e.also)}" if e.also else ""
            print(f"  [{c.n}] “{c.quote}” ({c.source or c.title}{also})")
    return EXIT_OK


def _print_sources(retrieval: Any) -> None:
    """One line per retrieved article, printed as soon as retrieval is done."""
    seen: dict[str, Any] = {}
    for p in retrieval.passages:
        seen.setdefault(p.article_id, p)
    print("Sources:" if seen else "Sources: none found")
    for p in seen.values():
        meta = ", ".join(x for x in (p.source, p.day) if x)
        print(f"  - {p.title}" + (f" ({meta})" if meta else ""))
    print(flush=True)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa chat``: serve the Gradio app (``--watch``: and poll the watched feeds)."""
    from ui.app import serve

    if getattr(args, "watch", False):
        from ui.watch_cli import chat_with_watcher

        return chat_with_watcher(settings, serve)
    return serve(settings)


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa watch [FEED_URL...] [--every 15m] [--once]`` (see ui.watch_cli)."""
    from ui.watch_cli import cmd_watch as watch

    return watch(args, settings)


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa feeds add|rm|ls`` (see ui.watch_cli)."""
    from ui.watch_cli import cmd_feeds as feeds

    return feeds(args, settings)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa serve``: the HTTP API (``/v1``, docs at ``/docs``) without the chat."""
    from ui.server import serve_api

    return serve_api(settings)


def cmd_mcp(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa mcp``: the MCP tools over stdio (started by an MCP client)."""
    from ui.mcp_server import serve_mcp

    return serve_mcp(settings)


def cmd_stats(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa stats``"""
    from vectorstore.store import Store

    for key, value in Store(settings).stats().items():
        print(f"{key}: {value}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa check [--repair]``: exit 0 when the store is consistent, 1 if not."""
    from vectorstore.check import check_store
    from vectorstore.store import Store

    report = check_store(Store(settings), args.repair, args.wait, _notice)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print("\n".join(report.lines()))
    return EXIT_OK if report.ok else EXIT_FAIL


def _notice(message: str) -> None:
    print(f"newsqa: {message}", file=sys.stderr, flush=True)


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa delete ARTICLE_ID``"""
    from vectorstore.store import Store

    if Store(settings).delete(args.article_id):
        print(f"deleted {args.article_id}")
        return EXIT_OK
    print(f"newsqa: no article with id {args.article_id!r} (see `newsqa stats`)", file=sys.stderr)
    return EXIT_FAIL


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa history ARTICLE_ID``: the current version, then the kept previous ones."""
    from vectorstore.store import Store

    store = Store(settings)
    current = store.record(args.article_id)
    if current is None:
        print(f"newsqa: no article with id {args.article_id!r}", file=sys.stderr)
        return EXIT_FAIL
    rows = [("current", current.ingested_at, current)]
    rows += [(v.version, v.replaced_at, v.record) for v in store.history(args.article_id)]
    if args.json:
        fields = ("title", "source", "url", "published_at", "origin", "provenance", "chars")
        out = [
            {"version": v, "stored_until": when if v != "current" else None}
            | {f: getattr(r, f) for f in fields}
            for v, when, r in rows
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return EXIT_OK
    for version, when, rec in rows:
        until = "now" if version == "current" else f"until {when}"
        print(f"{version}  ({until})  {rec.chars:,} chars  {rec.title!r}")
        print(f"    from {rec.provenance or rec.origin or '?'}")
    if len(rows) == 1:
        print("(no previous versions)")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa restore ARTICLE_ID [VERSION]``"""
    from vectorstore.store import Store

    try:
        chosen = Store(settings).restore(args.article_id, args.version, wait=args.wait)
    except KeyError as exc:
        print(f"newsqa: {exc.args[0]}", file=sys.stderr)
        return EXIT_FAIL
    print(
        f"restored {args.article_id} to {chosen.version} ({chosen.record.chars:,} chars, "
        f"stored until {chosen.replaced_at}); the replaced version is kept in its history"
    )
    return EXIT_OK


def cmd_model(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa model``: join and verify the default GGUF, and export the embedder to
    ONNX, now rather than on first use."""
    from rag.llm import resolve_gguf
    from vectorstore.embeddings import packaged_model_path
    from vectorstore.onnx_embedder import ensure_onnx

    print(resolve_gguf(settings))
    if settings.embedder != "torch":
        print(ensure_onnx(settings.models_dir, packaged_model_path()))
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa eval``: ingest into a separate store, retrieve (and answer), report."""
    from dataclasses import replace
    from pathlib import Path

    from ingest.pipeline import ingest
    from rag.answer import Answerer
    from rag.eval import MAX_EVAL_CHUNK_CHARS, EvalConfig, answerer_fn, run_eval
    from rag.retrieve import Retriever
    from vectorstore.store import Store

    articles, questions = Path(args.articles), Path(args.questions)
    for path in (articles, questions):
        if not path.is_file():
            print(f"newsqa: no such file: {path}", file=sys.stderr)
            return EXIT_USAGE
    if settings.chunk_chars > MAX_EVAL_CHUNK_CHARS:
        print(f"newsqa: eval needs NEWSQA_CHUNK_CHARS <= {MAX_EVAL_CHUNK_CHARS}", file=sys.stderr)
        return EXIT_USAGE
    if args.as_of:
        from datetime import date

        try:
            date.fromisoformat(args.as_of)
        except ValueError:
            print(f"newsqa: --as-of {args.as_of!r} is not a date like 2023-11-20", file=sys.stderr)
            return EXIT_USAGE
    extra: dict[str, Any] = {}
    off = sorted(steps_off(args.off or ""))
    if args.off is not None:  # given ("--off none": every step on)
        if not hasattr(settings, "steps_off"):
            print("newsqa: --off: this build has no switchable steps", file=sys.stderr)
            return EXIT_USAGE
        try:
            settings = settings.with_(steps_off=frozenset(off))
        except SettingsError as exc:
            print(f"newsqa: --off: {exc}", file=sys.stderr)
            return EXIT_USAGE
        extra["off"] = off
    store_dir = Path(args.store) if args.store else settings.home / "eval" / articles.stem
    # Always an embedded store of its own: eval never touches the user's articles.
    eval_settings = replace(settings, home=store_dir, chroma_url=None)
    store = Store(eval_settings)
    report = ingest([str(articles)], store, source_options(settings), settings.chunk_chars)
    print(f"eval store {store_dir}: {report.summary()}", file=sys.stderr)
    retriever = Retriever(store)
    answer_fn = None
    if args.llm != "none":
        # answer_fn(question, history=None, as_of=None), for both question formats
        answer_fn = answerer_fn(Answerer(eval_settings, retriever=retriever), args.k)
    name = questions.stem
    if name == "questions":  # e.g. tests/data/ordinary/questions.jsonl
        name = f"{questions.parent.name}-{name}"
    out = Path(args.out) if args.out else Path("eval-out") / f"{name}-{args.llm}"
    config = EvalConfig(
        articles,
        questions,
        store_dir,
        out,
        args.k,
        args.llm,
        args.limit,
        extra,
        split=args.split,
        as_of=args.as_of,
    )
    bar = _progress_bar("questions", args)
    summary = run_eval(
        config,
        answer_fn,
        retriever.retrieve,
        on_row=lambda n, total: bar.update(n - bar.n) if bar else None,
    )
    if bar is not None:
        bar.close()
    wrote = f"wrote {out / 'report.json'}, {out / 'summary.md'}, {out / 'by_type.png'}"
    if args.json:
        print(json.dumps(summary, indent=1, ensure_ascii=False))
        print(wrote, file=sys.stderr)
    else:
        print((out / "summary.md").read_text())
        print(wrote)
    return EXIT_OK if summary["questions"] else EXIT_FAIL


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa show ID... [--json]``: stored articles with their metadata and text."""
    from ui.show import article_dict, article_text
    from vectorstore.store import Store

    found = {a.id: a for a in Store(settings).stored_articles(args.article_ids)}
    missing = [i for i in args.article_ids if i not in found]
    for article_id in missing:
        print(f"newsqa: no article with id {article_id!r} (see `newsqa stats`)", file=sys.stderr)
    shown = [found[i] for i in dict.fromkeys(args.article_ids) if i in found]
    if args.json:
        print(json.dumps([article_dict(a) for a in shown], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(article_text(a) for a in shown))
    return EXIT_FAIL if missing else EXIT_OK


def cmd_eval_extraction(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa eval-extraction``: ingest labelled pages, score what the store holds."""
    from pathlib import Path

    from ui.eval_extraction import ExtractionEvalConfig, run_extraction_eval

    pages = Path(args.pages)
    if not (pages / "labels.jsonl").is_file():
        print(f"newsqa: no labels.jsonl in {pages}", file=sys.stderr)
        return EXIT_USAGE
    config = ExtractionEvalConfig(
        pages=pages,
        store=Path(args.store) if args.store else None,
        out=Path(args.out),
        limit=args.limit,
        reference=not args.no_reference,
    )
    run_extraction_eval(config, settings)
    print((config.out / "summary.md").read_text())
    print(f"wrote {config.out / 'summary.json'}, {config.out / 'misses.json'}")
    return EXIT_OK


def _progress_bar(unit: str, args: argparse.Namespace) -> Any:
    if not sys.stderr.isatty() or getattr(args, "no_progress", False):
        return None
    from tqdm import tqdm

    return tqdm(unit=f" {unit}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
