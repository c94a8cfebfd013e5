# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# llama-cpp-python compiles from source; the multimodal helper library is not used.
# Not -march=native: on CPUs with AMX, ggml's AMX kernels crash (SIGSEGV on the first
# decode) where the kernel does not grant AMX tile state, as in sandboxes; so the x86
# vector extensions are chosen here (AVX-512 only when this CPU has it).
AVX512 := $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo ON || echo OFF)
ifeq ($(shell uname -m),x86_64)
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON \
  -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=$(AVX512)
else
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF
endif
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run test lint chromium bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: a CPU wheel; an unpinned torch pulls a multi-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/newsqa ingest seeds/
	$(BIN)/newsqa model
	$(BIN)/newsqa chat

chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy newsqa ingest vectorstore rag ui

test: install chromium lint
	$(BIN)/newsqa model >/dev/null
	$(BIN)/python -m pytest -q

# Benchmarks of issue #5 (not part of `make test`): about 10 min on 2 cores (measured 10.3 min); writes
# bench/results/*.json, summary.md and bench.png.
bench: install
	$(BIN)/newsqa model >/dev/null
	$(BIN)/python bench/run_all.py

clean:
	rm -rf .newsqa .pytest_cache .mypy_cache .ruff_cache
