"""One typed settings object, read from env vars at the edge and passed down.

Library code never reads ``os.environ`` itself: the CLI, the web app or the caller of
``rag.answer()`` builds a :class:`Settings` (usually with :meth:`Settings.from_env`)
and hands it to the layers below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

LLMBackend = Literal["local", "openai", "extractive"]
LLM_BACKENDS: tuple[str, ...] = ("local", "openai", "extractive")
EmbedBackend = Literal["auto", "onnx", "torch"]
EMBED_BACKENDS: tuple[str, ...] = ("auto", "onnx", "torch")


# The answer pipeline's switchable steps (rag/answer.py), on by default except those
# in DEFAULT_STEPS_OFF; NEWSQA_STEPS_OFF (or `newsqa eval --off`) names the steps that
# are off instead (``none``: all on), to measure them.
STEP_NAMES: tuple[str, ...] = (
    "followup_rewrite",  # follow-ups rewritten with the earlier questions and answers
    "outlet_filters",  # outlets and days named in a question filter its parts' search
    "part_search",  # each part of a multi-part question searched on its own
    "time_filters",  # "last week", "in June", "as of ..." filter by publication date
    "recency",  # "latest", "most recent": newest relevant articles first
    "relevance_gate",  # decline without calling the model when nothing is about it
    "speaker_context",  # evidence sentences bring the sentence naming their speaker
    "kind_prompts",  # prompts and evidence sized per question kind
    "verdict_prompt",  # yes/no questions asked for a verdict first
    "yesno_quotes",  # yes/no on one fact answered with the quotes that settle it
    "on_topic",  # an answer naming none of the question's names is declined
    "surname_expansion",  # "Kelce" -> "Travis Kelce" from the passages
    "fact_check",  # a cited sentence's names, numbers, months must be in its quote
    "speaker_check",  # a cited sentence's speaker must be its quote's speaker
    "meaning_check",  # a cited sentence and its quote must mean alike (embeddings)
    "clause_citations",  # a sentence joining reports cited clause by clause
    "question_premises",  # what a sentence adds to the question must be in its quote
    "drop_unsupported",  # unsupported sentences dropped (off: marked "(unverified)")
    "verdict_needs_quote",  # a Yes/No with no supported sentence is declined
    "disagreements",  # reports giving different values for one fact shown side by side
)
# Off unless asked for (none now: surname expansion, off while one passage's "Word
# Surname" pair sufficed, turned "Trump" into "Ivanka Trump"; it now needs two articles).
DEFAULT_STEPS_OFF: frozenset[str] = frozenset()


def _names(raw: str) -> frozenset[str]:
    return frozenset(n.strip() for n in raw.split(",") if n.strip())


def steps_off(raw: str) -> frozenset[str]:
    """The steps ``NEWSQA_STEPS_OFF`` / ``newsqa eval --off`` switch off; ``none``:
    every step on.

    >>> sorted(steps_off("recency, fact_check")), steps_off("none")
    (['fact_check', 'recency'], frozenset())
    """
    names = _names(raw)
    return frozenset() if names == {"none"} else names


class SettingsError(ValueError):
    """A setting has a value newsqa cannot use; the message names the variable."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with defaults that work offline on a laptop.

    Example:
        >>> s = Settings.from_env({"NEWSQA_HOME": "/tmp/nq", "NEWSQA_LLM": "extractive"})
        >>> s.llm, s.home
        ('extractive', PosixPath('/tmp/nq'))
    """

    home: Path = Path(".newsqa")
    chroma_url: str | None = None
    collection: str = "newsqa"
    llm: LLMBackend = "local"
    gguf: Path | None = None
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_api_key: str | None = None
    llm_timeout: float = 60.0
    top_k: int = 6
    max_tokens: int = 160
    n_ctx: int = 2048
    n_threads: int | None = None
    chunk_chars: int = 1200
    max_bytes: int = 10_000_000
    max_feed_entries: int = 1000
    fetch_timeout: float = 20.0
    feed_deadline: float = 120.0
    allow_private_urls: bool = False
    auth: str | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    concurrency: int = 1
    progress: bool = True
    embedder: EmbedBackend = "auto"
    embed_threads: int | None = None
    steps_off: frozenset[str] = DEFAULT_STEPS_OFF
    # Feeds fetched at once by `newsqa watch` (feed and page requests together).
    watch_concurrency: int = 4
    # Estimated Jaccard similarity of word 5-grams at which two bodies are one story
    # (measured by bench/bench_dedup.py; ingest.dedup.DEFAULT_THRESHOLD).
    story_threshold: float = 0.35

    def step(self, name: str) -> bool:
        """Whether the answer pipeline's step ``name`` is on.

        >>> Settings(steps_off=frozenset({"recency"})).step("recency")
        False
        """
        if name not in STEP_NAMES:
            raise KeyError(f"no answer step {name!r}")
        return name not in self.steps_off

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``NEWSQA_*`` variables (default: ``os.environ``).

        Keyword overrides (e.g. from CLI flags) win over the environment; ``None``
        overrides are ignored so unset flags fall through.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for var, (name, parse) in _ENV.items():
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            try:
                values[name] = parse(raw)
            except ValueError as exc:
                raise SettingsError(f"{var}={raw!r} is not valid: {exc}") from None
        known = {f.name for f in fields(cls)}
        for name, value in overrides.items():
            if name not in known:
                raise SettingsError(f"unknown setting {name!r}")
            if value is not None:
                values[name] = value
        settings = cls(**values)
        settings.validate()
        return settings

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed (``None`` values are ignored)."""
        settings = replace(self, **{k: v for k, v in changes.items() if v is not None})
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise :class:`SettingsError` for values that cannot work."""
        if self.llm not in LLM_BACKENDS:
            raise SettingsError(f"NEWSQA_LLM={self.llm!r}: choose one of {', '.join(LLM_BACKENDS)}")
        if self.embedder not in EMBED_BACKENDS:
            raise SettingsError(
                f"NEWSQA_EMBEDDER={self.embedder!r}: choose one of {', '.join(EMBED_BACKENDS)}"
            )
        if self.top_k < 1:
            raise SettingsError("NEWSQA_TOP_K must be at least 1")
        if self.chunk_chars < 200:
            raise SettingsError("NEWSQA_CHUNK_CHARS must be at least 200")
        if self.chroma_url and not self.chroma_url.startswith(("http://", "https://")):
            raise SettingsError(
                f"NEWSQA_CHROMA_URL={self.chroma_url!r} must start with http:// or https://"
            )
        unknown = sorted(set(self.steps_off) - set(STEP_NAMES))
        if unknown:
            raise SettingsError(
                f"NEWSQA_STEPS_OFF: no step {', '.join(unknown)}; steps: {', '.join(STEP_NAMES)}"
            )
        if not self.feed_deadline > 0:  # NaN too
            raise SettingsError("NEWSQA_FEED_DEADLINE must be more than 0 seconds")
        if self.watch_concurrency < 1:
            raise SettingsError("NEWSQA_WATCH_CONCURRENCY must be at least 1")
        if not 0 < self.story_threshold <= 1:  # NaN too
            raise SettingsError("NEWSQA_STORY_THRESHOLD must be more than 0 and at most 1")
        if self.auth is not None:
            user, colon, password = self.auth.partition(":")
            if not colon:
                raise SettingsError("NEWSQA_AUTH must look like user:password")
            if not user.strip() or not password.strip():
                raise SettingsError(
                    "NEWSQA_AUTH (--auth) needs a user and a password, neither empty: user:password"
                )

    @property
    def models_dir(self) -> Path:
        """Where joined GGUF model files are kept."""
        return self.home / "models"

    @property
    def store_label(self) -> str:
        """Human-readable description of the store in use."""
        where = self.chroma_url or str(self.home / "chroma")
        return f"{where} (collection {self.collection})"


def _path(raw: str) -> Path:
    return Path(raw).expanduser()


# env var -> (field, parser); the README's configuration table mirrors this.
_ENV: dict[str, tuple[str, Any]] = {
    "NEWSQA_HOME": ("home", _path),
    "NEWSQA_CHROMA_URL": ("chroma_url", str),
    "NEWSQA_COLLECTION": ("collection", str),
    "NEWSQA_LLM": ("llm", str),
    "NEWSQA_GGUF": ("gguf", _path),
    "NEWSQA_OPENAI_BASE_URL": ("openai_base_url", str),
    "NEWSQA_OPENAI_MODEL": ("openai_model", str),
    "NEWSQA_OPENAI_API_KEY": ("openai_api_key", str),
    "NEWSQA_LLM_TIMEOUT": ("llm_timeout", float),
    "NEWSQA_TOP_K": ("top_k", int),
    "NEWSQA_MAX_TOKENS": ("max_tokens", int),
    "NEWSQA_N_CTX": ("n_ctx", int),
    "NEWSQA_THREADS": ("n_threads", int),
    "NEWSQA_CHUNK_CHARS": ("chunk_chars", int),
    "NEWSQA_MAX_BYTES": ("max_bytes", int),
    "NEWSQA_MAX_FEED_ENTRIES": ("max_feed_entries", int),
    "NEWSQA_FETCH_TIMEOUT": ("fetch_timeout", float),
    "NEWSQA_FEED_DEADLINE": ("feed_deadline", float),
    "NEWSQA_ALLOW_PRIVATE_URLS": ("allow_private_urls", _bool),
    "NEWSQA_AUTH": ("auth", str),
    "NEWSQA_HOST": ("host", str),
    "NEWSQA_PORT": ("port", int),
    "NEWSQA_CONCURRENCY": ("concurrency", int),
    "NEWSQA_EMBEDDER": ("embedder", str),
    "NEWSQA_EMBED_THREADS": ("embed_threads", int),
    "NEWSQA_STEPS_OFF": ("steps_off", steps_off),
    "NEWSQA_WATCH_CONCURRENCY": ("watch_concurrency", int),
    "NEWSQA_STORY_THRESHOLD": ("story_threshold", float),
}
