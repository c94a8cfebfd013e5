"""Request bodies of newsqa's own HTTP endpoints (``/v1/answer``, ``/v1/articles``).

Every field is checked by pydantic, so a bad request is refused with a message naming
the field before any work starts (see :mod:`ui.api`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rag.types import Filters

# Most passages one question may ask for.
MAX_K = 20
MAX_HISTORY = 50
MAX_RECORDS = 1000
MAX_URLS = 100


class AskOptions(BaseModel):
    """How to answer: the day asked on, how many passages, which outlets and dates."""

    as_of: date | None = Field(
        None,
        description="The day the question is asked (YYYY-MM-DD, default today): "
        '"last week" counts from it; later articles are left out.',
    )
    k: int | None = Field(
        None, ge=1, le=MAX_K, description="Passages to retrieve (default NEWSQA_TOP_K)."
    )
    sources: list[str] | None = Field(None, description="Only these outlets.")
    after: date | None = Field(None, description="Only articles published on/after this day.")
    before: date | None = Field(None, description="Only articles published on/before this day.")

    @field_validator("sources", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def filters(self) -> Filters | None:
        """The outlet and date filters (``None`` when there are none); ``ValueError``
        when ``after`` is later than ``before``.

        >>> AskOptions(sources="BBC", after="2024-06-01").filters().describe()
        'outlets: BBC; from 2024-06-01'
        >>> AskOptions().filters() is None
        True
        """
        if self.after and self.before and self.after > self.before:
            raise ValueError(f"after ({self.after}) is later than before ({self.before})")
        filters = Filters(
            tuple(s.strip() for s in self.sources or () if s.strip()),
            self.after.isoformat() if self.after else None,
            self.before.isoformat() if self.before else None,
        )
        return None if filters.is_empty() else filters


class HistoryMessage(BaseModel):
    """An earlier message of the conversation."""

    role: Literal["user", "assistant"]
    content: str


class AnswerRequest(AskOptions):
    """``POST /v1/answer``: a question, the conversation so far, and options."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"question": "How large is the G7 loan for Ukraine?", "k": 6}]
        }
    )
    question: str = Field(description="The question (at most 2,000 characters).")
    history: list[HistoryMessage] = Field(
        default_factory=list,
        max_length=MAX_HISTORY,
        description="Earlier messages, oldest first: follow-ups are read with them.",
    )


class ArticlesRequest(BaseModel):
    """``POST /v1/articles``: article records and/or article or feed URLs to ingest."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "records": [
                        {
                            "title": "Harbour reopens",
                            "body": "The harbour reopened on Monday after the storm.",
                            "source": "Tide Times",
                            "published_at": "2024-05-01",
                            "url": "https://tide.example/harbour",
                        }
                    ]
                },
                {"urls": ["https://example.com/news/story.html"]},
            ]
        }
    )
    records: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=MAX_RECORDS,
        description="Articles: {id?, title, body, url?, source?, published_at?, author?}.",
    )
    urls: list[str] = Field(
        default_factory=list, max_length=MAX_URLS, description="http(s) article or feed URLs."
    )
    replace: bool = Field(
        False,
        description="Accept updates the overwrite policy refuses (previous versions are kept).",
    )
