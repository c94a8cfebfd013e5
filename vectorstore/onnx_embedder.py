"""The packaged MiniLM as an ONNX graph, run by onnxruntime without importing torch.

The graph is exported once from the same weights sentence-transformers loads
(``BertModel`` -> mean pooling over the attention mask -> L2 normalization, at most
256 tokens), so its vectors match sentence-transformers' to cosine > 0.9999 (checked
in tests and by ``bench/bench_ingest.py``). Exporting needs torch and the ``onnx``
package; running the file needs only ``onnxruntime`` and ``tokenizers``, which
import in a quarter of a second instead of the 6-14 s torch takes.

Texts are tokenized once, sorted by length and packed into batches of at most
``token_budget`` tokens (padded length x rows), so almost no compute is spent on
padding, and every batch is large enough for efficient matrix multiplies.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ONNX_NAME = "all-MiniLM-L6-v2.onnx"
# Bump when the exported graph changes: a file with an older marker is re-exported.
EXPORT_VERSION = 1
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
DIM = 384
# Rows x padded length per model call: large enough for efficient GEMMs, small enough
# that attention scores (batch x 12 heads x len^2 floats) stay around 100 MB.
TOKEN_BUDGET = 8192
# MiniLM-L6-H384: 6 layers, hidden 384, feed-forward 1536.
_LAYERS, _HIDDEN, _FFN = 6, 384, 1536


class OnnxExportError(RuntimeError):
    """The ONNX model could not be exported (torch or onnx missing, or a bad model dir)."""


def flops_per_sequence(tokens: int) -> int:
    """Multiply-add FLOPs of one forward pass over ``tokens`` tokens (no padding).

    Per layer and token: Q, K, V and output projections (4 x 384 x 384) and the
    feed-forward (2 x 384 x 1536) multiply-adds, plus attention scores and the
    weighted sum (2 x tokens x 384); one multiply-add is 2 FLOPs. Pooling, layer norm
    and softmax are left out (a few percent).

    >>> flops_per_sequence(256) // 10**6
    6039
    """
    dense = 4 * _HIDDEN * _HIDDEN + 2 * _HIDDEN * _FFN
    attention = 2 * tokens * _HIDDEN
    return 2 * _LAYERS * tokens * (dense + attention)


def marker_path(onnx_path: Path) -> Path:
    """The JSON file beside an exported model that says what it was exported from."""
    return onnx_path.with_name(onnx_path.name + ".json")


def _source_stamp(model_dir: Path) -> dict[str, Any]:
    weights = model_dir / "model.safetensors"
    info = weights.stat()
    return {"source": str(weights.resolve()), "source_size": info.st_size}


def exported_model(models_dir: Path, model_dir: Path) -> Path | None:
    """The exported ONNX file in ``models_dir`` when it is current, else ``None``.

    Current means: the marker names this exporter version and the same source
    weights, and the file has the size and mtime recorded at export.
    """
    target = models_dir / ONNX_NAME
    try:
        marker = json.loads(marker_path(target).read_text())
        info = target.stat()
        expected = {
            "export_version": EXPORT_VERSION,
            **_source_stamp(model_dir),
            "size": info.st_size,
            "mtime_ns": info.st_mtime_ns,
        }
    except (OSError, ValueError):
        return None
    if any(marker.get(k) != v for k, v in expected.items()):
        return None
    return target


def export_onnx(model_dir: Path, models_dir: Path) -> Path:
    """Export the sentence-transformers model in ``model_dir`` to ``models_dir`` (torch).

    Written to a temporary name and renamed, so a concurrent reader never sees half a
    file and two exporters never clash.
    """
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:  # pragma: no cover - torch is a dependency
        raise OnnxExportError(f"exporting to ONNX needs torch and transformers: {exc}") from None

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    # Eager attention: the plain graph onnxruntime fuses into its own Attention op.
    bert = AutoModel.from_pretrained(
        str(model_dir), attn_implementation="eager", local_files_only=True
    ).eval()

    class Pooled(torch.nn.Module):
        """BertModel + mean pooling + L2 normalization, as sentence-transformers does."""

        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / ONNX_NAME
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    example = torch.ones(2, 16, dtype=torch.long)
    try:
        import warnings

        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer warnings about Python-constant shapes
            torch.onnx.export(
                Pooled(bert),
                (example, example),
                str(partial),
                dynamo=False,
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
            )
    except Exception as exc:
        partial.unlink(missing_ok=True)
        raise OnnxExportError(f"could not export {model_dir} to ONNX: {exc}") from None
    os.replace(partial, target)
    info = target.stat()
    marker = {
        "export_version": EXPORT_VERSION,
        **_source_stamp(model_dir),
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
        "torch": torch.__version__,
    }
    tmp_marker = marker_path(target).with_suffix(f".{os.getpid()}.tmp")
    tmp_marker.write_text(json.dumps(marker, indent=1))
    os.replace(tmp_marker, marker_path(target))
    return target


def ensure_onnx(models_dir: Path, model_dir: Path) -> Path:
    """The current exported model, exporting it first when missing or stale."""
    return exported_model(models_dir, model_dir) or export_onnx(model_dir, models_dir)


class OnnxEncoder:
    """Embeds texts with the exported graph: tokenize, pack by length, run, done.

    Example:
        >>> enc = OnnxEncoder(Path(".newsqa/models/all-MiniLM-L6-v2.onnx"),
        ...                   packaged_model_path())            # doctest: +SKIP
        >>> enc.encode(["G7 loan to Ukraine"]).shape            # doctest: +SKIP
        (1, 384)
    """

    def __init__(
        self,
        onnx_path: Path,
        model_dir: Path,
        threads: int | None = None,
        max_tokens: int = MAX_TOKENS,
        token_budget: int = TOKEN_BUDGET,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.max_tokens = max_tokens
        self.token_budget = max(token_budget, max_tokens)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json pads and truncates to 128; sentence-transformers uses 256 and
        # pads to the longest text of a batch, which the packing below does per batch.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=max_tokens)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle worker threads would otherwise spin for a while after each call, taking
        # a core from the searches that run right after embedding a question.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        self.tokens = 0  # real (unpadded) tokens run through the model
        self.padded_tokens = 0  # tokens including padding
        self.flops = 0
        self.seconds = 0.0  # time inside the model
        self._stats_lock = threading.Lock()

    def token_counts(self, texts: Sequence[str], truncated: bool = True) -> list[int]:
        """Tokens per text (special tokens included), after truncation unless told."""
        tokenizer = self.tokenizer
        if not truncated:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_str(self.tokenizer.to_str())
            tokenizer.no_truncation()
        return [len(e.ids) for e in tokenizer.encode_batch(list(texts))]

    def encode(self, texts: Sequence[str]) -> Any:
        """An ``(n, 384)`` float32 array of unit vectors, in the order of ``texts``."""
        import numpy as np

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        start = 0
        while start < len(order):
            # Grow the batch while rows x longest row fits the budget (lengths ascend)
            # and the longest row is not much longer than the shortest (padding).
            end = start + 1
            widest = _max_width(len(ids[order[start]]))
            while (
                end < len(order)
                and len(ids[order[end]]) <= widest
                and (end - start + 1) * len(ids[order[end]]) <= self.token_budget
            ):
                end += 1
            rows = order[start:end]
            width = len(ids[rows[-1]])
            input_ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                input_ids[r, : len(ids[i])] = ids[i]
                mask[r, : len(ids[i])] = 1
            began = time.perf_counter()
            vectors = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
            elapsed = time.perf_counter() - began
            out[rows] = vectors
            with self._stats_lock:
                self.seconds += elapsed
                self.tokens += sum(len(ids[i]) for i in rows)
                self.padded_tokens += input_ids.size
                self.flops += sum(flops_per_sequence(len(ids[i])) for i in rows)
            start = end
        return out


def _max_width(shortest: int) -> int:
    """Longest row a batch starting at ``shortest`` tokens may take: <= ~20% padding,
    or up to 64 tokens (questions): padding short rows costs less than another call."""
    return max(shortest + 16, shortest * 5 // 4, 64)
