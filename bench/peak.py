"""The machine's float32 matrix-multiply rate, measured now (the "possible" in efficiency).

Square 2048 x 2048 float32 products, best of several runs, with every core, through
each library that might run the embedder's matrix multiplies: onnxruntime (MLAS),
numpy (OpenBLAS) and torch (oneDNN/MKL). The peak is the fastest of them, so
efficiency is measured against the best this machine showed, not the slowest.

Run as a child process: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, set on some machines to
work around old OpenBLAS bugs, pin numpy to slower kernels and are unset here.

    .venv/bin/python bench/peak.py          # prints JSON
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

N = 2048
MIN_SECONDS = 2.0


def _best(fn: Callable[[], Any], flops: float) -> float:
    """GFLOPS of the fastest call of ``fn`` in at least ``MIN_SECONDS``."""
    fn()
    best = float("inf")
    began = time.perf_counter()
    runs = 0
    while runs < 5 or time.perf_counter() - began < MIN_SECONDS:
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
        runs += 1
    return round(flops / best / 1e9, 1)


def measure(threads: int | None = None) -> dict[str, Any]:
    """GFLOPS per library and the peak (their maximum)."""
    import numpy as np

    threads = threads or os.cpu_count() or 1
    flops = 2.0 * N**3
    a = np.random.default_rng(0).random((N, N), dtype=np.float32)
    b = np.random.default_rng(1).random((N, N), dtype=np.float32)
    rates: dict[str, float] = {"numpy": _best(lambda: a @ b, flops)}

    import onnxruntime as ort
    from onnx import TensorProto, helper

    tensor = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [N, N]) for n in "ABC"]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["A", "B"], ["C"])], "mm", tensor[:2], tensor[2:]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    rates["onnxruntime"] = _best(lambda: session.run(None, {"A": a, "B": b}), flops)

    try:
        import torch

        torch.set_num_threads(threads)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        rates["torch"] = _best(lambda: ta @ tb, flops)
    except ImportError:
        pass
    best = max(rates, key=lambda k: rates[k])
    return {
        "n": N,
        "threads": threads,
        "gflops": rates,
        "peak_gflops": rates[best],
        "peak_library": best,
    }


def measure_in_child() -> dict[str, Any]:
    """:func:`measure` in a fresh process with the OpenBLAS overrides removed."""
    import subprocess

    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve())],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


if __name__ == "__main__":
    print(json.dumps(measure()))
