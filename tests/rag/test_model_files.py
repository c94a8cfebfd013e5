"""The default model file: joined from its part wheels, verified, damage detected."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.model_files import (
    DEFAULT_GGUF_NAME,
    DEFAULT_GGUF_SHA256,
    DEFAULT_GGUF_SIZE,
    ModelFileError,
    check_gguf,
    default_gguf,
    part_paths,
)


def test_parts_are_installed_and_add_up_to_the_model_size() -> None:
    parts = part_paths()
    assert len(parts) == 22
    assert sum(p.stat().st_size for p in parts) == DEFAULT_GGUF_SIZE


def test_missing_model_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(ModelFileError, match=str(missing)):
        check_gguf(missing)


def test_non_gguf_file_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        check_gguf(bogus)


def test_corrupt_file_error_names_the_expected_hash(tmp_path: Path) -> None:
    bad = tmp_path / DEFAULT_GGUF_NAME
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ModelFileError, match=DEFAULT_GGUF_SHA256):
        check_gguf(bad, DEFAULT_GGUF_SHA256)


@pytest.mark.slow
def test_damaged_default_model_is_rejoined_from_parts(tmp_path: Path) -> None:
    target = tmp_path / DEFAULT_GGUF_NAME
    target.write_bytes(b"GGUF damaged")
    path = default_gguf(tmp_path)
    assert path == target
    assert path.stat().st_size == DEFAULT_GGUF_SIZE
    assert check_gguf(path, DEFAULT_GGUF_SHA256) == path
