"""The ONNX embedder: same vectors as sentence-transformers, and no torch on `ask`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from newsqa.settings import Settings, SettingsError
from tests.conftest import ROOT, SEED_FILE
from vectorstore.embeddings import Embedder, packaged_model_path
from vectorstore.onnx_embedder import (
    ONNX_NAME,
    ensure_onnx,
    exported_model,
    flops_per_sequence,
    marker_path,
)

LONG = " ".join(
    f"Sentence {i} of a long report on the G7 loan package for Ukraine and its terms."
    for i in range(60)
)  # far over 256 tokens: truncation must match
TEXTS = [
    "G7 loan to Ukraine",
    "Kyiv slams Putin's offer | Reuters | 2023-12-01\nThe G7 agreed a €46 billion loan.",
    "Who rejected Putin's offer?",
    LONG,
    "Bond yields rose to a 16-year high after the central bank raised rates.",
    "x",
    "Ünïcödé ACCENTS and   irregular\twhitespace\n\nacross lines.",
    LONG[:700],
]


@pytest.fixture(scope="module")
def onnx_models() -> Path:
    """The exported model in the repo's data dir (``newsqa model`` puts it there)."""
    return ensure_onnx(ROOT / ".newsqa" / "models", packaged_model_path()).parent


def _link_model(models: Path, home: Path) -> None:
    """Share the export with a temp data dir (hard links keep size and mtime)."""
    target = home / "models"
    target.mkdir(parents=True, exist_ok=True)
    for name in (ONNX_NAME, marker_path(Path(ONNX_NAME)).name):
        try:
            os.link(models / name, target / name)
        except OSError:
            shutil.copy2(models / name, target / name)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_onnx_vectors_match_sentence_transformers(embedder: Embedder, onnx_models: Path) -> None:
    onnx = Embedder(backend="onnx", models_dir=onnx_models)
    import numpy as np

    for got, want in (
        (onnx.embed_documents(TEXTS), embedder.embed_documents(TEXTS)),
        (onnx.embed_queries(TEXTS[:3]), embedder.embed_queries(TEXTS[:3])),
    ):
        cosines = (np.asarray(got) * np.asarray(want)).sum(axis=1)
        assert cosines.min() > 0.999, cosines
    assert onnx.runtime == "onnx" and embedder.runtime == "torch"
    assert onnx.texts_embedded == len(TEXTS) and onnx.batches == 1
    # length-sorted packing: the long text was cut at 256 tokens and little was padded
    encoder = onnx.encoder
    assert encoder.tokens <= 256 * len(TEXTS) + 256 * 3
    assert encoder.padded_tokens < 1.5 * encoder.tokens


def test_a_stale_export_is_not_used(tmp_path: Path) -> None:
    model_dir = packaged_model_path()
    models = tmp_path / "models"
    models.mkdir()
    target = models / ONNX_NAME
    target.write_bytes(b"not really a model")
    assert exported_model(models, model_dir) is None, "no marker: not trusted"
    info = target.stat()
    weights = model_dir / "model.safetensors"
    marker = {
        "export_version": 1,
        "source": str(weights.resolve()),
        "source_size": weights.stat().st_size,
        "size": info.st_size,
        "mtime_ns": info.st_mtime_ns,
    }
    marker_path(target).write_text(json.dumps(marker))
    assert exported_model(models, model_dir) == target
    target.write_bytes(b"changed after the export")
    assert exported_model(models, model_dir) is None, "size or mtime changed: re-export"


def test_auto_falls_back_to_torch_when_the_export_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vectorstore.onnx_embedder as onnx_embedder

    def broken(*args: object) -> Path:
        raise onnx_embedder.OnnxExportError("no exporter here")

    monkeypatch.setattr(onnx_embedder, "ensure_onnx", broken)
    auto = Embedder(backend="auto", models_dir=tmp_path)
    monkeypatch.setattr(auto, "_load_torch", lambda path: "torch model")
    auto._load()
    assert auto.runtime == "torch"
    strict = Embedder(backend="onnx", models_dir=tmp_path)
    with pytest.raises(onnx_embedder.OnnxExportError):
        strict._load()


def test_settings_choose_the_embedder(tmp_path: Path) -> None:
    settings = Settings.from_env({"NEWSQA_EMBEDDER": "torch", "NEWSQA_EMBED_THREADS": "1"})
    embedder = Embedder.from_settings(settings.with_(home=tmp_path))
    assert (embedder.backend, embedder.threads, embedder.models_dir) == (
        "torch",
        1,
        tmp_path / "models",
    )
    with pytest.raises(SettingsError, match="NEWSQA_EMBEDDER"):
        Settings.from_env({"NEWSQA_EMBEDDER": "gpu"})


def test_flops_grow_with_tokens() -> None:
    assert flops_per_sequence(256) > 2 * flops_per_sequence(128) > 0


_ASK = """
import sys
from ui.cli import main
code = main(["--home", sys.argv[1], "ask", "--llm", "extractive", sys.argv[2]])
print("TORCH-LOADED" if "torch" in sys.modules else "NO-TORCH")
sys.exit(code)
"""


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_ask_prints_sources_first_without_importing_torch(
    tmp_path: Path, onnx_models: Path
) -> None:
    from ingest.pipeline import ingest
    from ingest.sources import SourceOptions
    from vectorstore.store import Store

    home = tmp_path / "home"
    _link_model(onnx_models, home)
    settings = Settings(home=home, llm="extractive")
    store = Store(settings)
    assert ingest([str(SEED_FILE)], store, SourceOptions()).ok
    assert store.embedder.runtime == "onnx"

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    done = subprocess.run(
        [sys.executable, "-c", _ASK, str(home), "How large is the G7 loan package for Ukraine?"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.rstrip().endswith("NO-TORCH"), out
    assert out.startswith("Sources:"), out
    assert out.index("Sources:") < out.index("46 billion")
