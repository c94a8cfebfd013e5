"""Turn ``bench/results/*.json`` into the summary table and one PNG chart.

.venv/bin/python bench/report.py     # writes bench/results/summary.md and bench.png
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CREDIT, RESULTS, read_result


def _get(data: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _fmt(value: Any, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def rows() -> list[tuple[str, str, str, str]]:
    """(target, goal, measured, met?) for every target of the issue."""
    ingest, query, answer = read_result("ingest"), read_result("query"), read_result("answer")
    cold, scale = read_result("cold_start"), read_result("scale")
    out: list[tuple[str, str, str, str]] = []

    def add(name: str, goal: str, value: Any, ok: bool | None, text: str | None = None) -> None:
        verdict = "–" if ok is None else ("yes" if ok else "**no**")
        out.append((name, goal, text if text is not None else _fmt(value), verdict))

    eff = _get(ingest, "efficiency", "efficiency_interleaved")
    seq = _get(ingest, "efficiency", "efficiency_in_model")
    base_eff = _get(ingest, "efficiency", "baseline_efficiency_interleaved")
    add(
        "1 embed efficiency (achieved / fp32 matmul peak)",
        ">= 0.8",
        eff,
        None if eff is None else eff >= 0.8,
        None
        if eff is None
        else f"{eff:.2f} interleaved ({seq:.2f} over the whole ingest; torch baseline "
        f"{base_eff:.2f})",
    )
    comp = _get(ingest, "comparison") or {}
    speed = comp.get("speedup_projected_same_conditions")
    add(
        "1 ingest vs LangChain baseline",
        ">= 1.5x",
        speed,
        None if speed is None else speed >= 1.5,
        None
        if speed is None
        else f"{speed:.2f}x same-conditions ({comp['speedup_wall']:.2f}x wall, "
        f"{comp['speedup_cpu']:.2f}x CPU; newsqa embeds "
        f"{comp['tokens_ratio_newsqa_over_baseline']:.2f}x the tokens)",
    )
    per_token = comp.get("per_token_speedup_interleaved")
    add(
        "1 per embedded token, ONNX vs torch",
        "(context)",
        per_token,
        None,
        None if per_token is None else f"{per_token:.2f}x",
    )
    h_new, h_base = (
        _get(ingest, "comparison", "hits@10_newsqa"),
        _get(ingest, "comparison", "hits@10_baseline"),
    )
    add(
        "1 Hits@10 newsqa vs baseline",
        "no worse",
        None,
        None if h_new is None or h_base is None else h_new >= h_base,
        f"{_fmt(h_new)} vs {_fmt(h_base)}",
    )
    share = _get(ingest, "reingest_unchanged", "share_of_first")
    emb = _get(ingest, "reingest_unchanged", "report", "chunks_embedded")
    add(
        "2 re-ingest unchanged",
        "<= 2% of first, 0 embedded",
        None,
        None if share is None else share <= 0.02 and emb == 0,
        None if share is None else f"{share * 100:.2f}% ({emb} embedded)",
    )
    one = _get(ingest, "one_changed_article")
    add(
        "2 one changed article",
        "re-embeds only it",
        None,
        None if one is None else one["counts"]["updated"] == 1 and one["counts"]["added"] == 0,
        None
        if one is None
        else f"{one['report']['chunks_embedded']} chunk(s) embedded, "
        f"{one['counts']['updated']} article updated",
    )
    rss = _get(ingest, "peak_rss_mb_first_ingest")
    add(
        "2 peak RSS while ingesting",
        "<= 2048 MB",
        rss,
        None if rss is None else rss <= 2048,
        None if rss is None else f"{rss:.0f} MB",
    )
    for corpus, p50_goal in (("full", 50), ("10x", 100)):
        p50, p95 = _get(query, corpus, "p50_ms"), _get(query, corpus, "p95_ms")
        goal = f"p50 <= {p50_goal} ms" + (", p95 <= 150 ms" if corpus == "full" else "")
        ok = None if p50 is None else p50 <= p50_goal and (corpus != "full" or p95 <= 150)
        add(
            f"3 retrieval, {corpus} corpus",
            goal,
            None,
            ok,
            None
            if p50 is None
            else f"p50 {p50:.0f} ms, p95 {p95:.0f} ms "
            f"(CPU p50 {_get(query, corpus, 'cpu_p50_ms'):.0f} ms)",
        )
    src = _get(answer, "sources_max_ms")
    add(
        "4 sources after the question",
        "<= 0.5 s",
        src,
        None if src is None else src <= 500,
        None if src is None else f"max {src / 1000:.2f} s",
    )
    ftok = _get(answer, "first_token_p50_s")
    add(
        "4 first token p50 (default model)",
        "<= 6 s",
        ftok,
        None if ftok is None else ftok <= 6,
        None if ftok is None else f"{ftok:.1f} s",
    )
    srss = _get(answer, "rss_mb_serving")
    add(
        "4 serving RSS, model loaded",
        "<= 3072 MB",
        srss,
        None if srss is None else srss <= 3072,
        None if srss is None else f"{srss:.0f} MB",
    )
    c50 = _get(cold, "p50_s")
    add(
        "5 cold `newsqa ask` -> sources",
        "<= 5 s",
        c50,
        None if c50 is None else c50 <= 5,
        None if c50 is None else f"p50 {c50:.2f} s, torch imported: {_get(cold, 'torch_imported')}",
    )
    errors = _get(scale, "errors")
    add(
        "6 Chroma server: ingest + 8 askers",
        "0 errors",
        None,
        None if errors is None else errors == 0,
        None
        if errors is None
        else f"{errors} errors; ingest "
        f"{_get(scale, 'ingest', 'chunks_per_s')} chunks/s, askers "
        f"{_get(scale, 'askers', 'answers_per_s')} answers/s",
    )
    return out


def markdown() -> str:
    """The Performance table as Markdown, with the machine it ran on."""
    lines = ["| target | goal | measured | met |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows()]
    any_result = next(
        (
            read_result(n)
            for n in ("ingest", "query", "answer", "cold_start", "scale")
            if read_result(n)
        ),
        None,
    )
    if any_result:
        m = any_result["machine"]
        lines += [
            "",
            f"Machine: {m['cpu']}, {m['cores']} cores ({', '.join(m['cpu_flags'])}), "
            f"{m['ram_gb']} GB RAM, Python {m['python']}, onnxruntime "
            f"{m['libraries'].get('onnxruntime')}, torch {m['libraries'].get('torch')}, "
            f"chromadb {m['libraries'].get('chromadb')}; load average at start "
            f"{m['load_average_at_start']} (a shared machine). Data: {CREDIT}.",
        ]
    return "\n".join(lines) + "\n"


def chart(path: Path) -> None:
    """One PNG with a panel per target group."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ingest, query, answer = read_result("ingest"), read_result("query"), read_result("answer")
    cold, scale = read_result("cold_start"), read_result("scale")
    fig, axes = plt.subplots(2, 3, figsize=(13, 7))
    (a1, a2, a3), (a4, a5, a6) = axes

    if ingest and "baseline" in ingest:
        n, b = ingest["newsqa_first"], ingest["baseline"]
        a1.bar(
            ["LangChain\nbaseline", "newsqa"], [b["seconds"], n["seconds"]], color=["#999", "#2a7"]
        )
        for x, (s, t) in enumerate(
            [(b["seconds"], b["tokens_embedded"]), (n["seconds"], n["tokens"])]
        ):
            a1.text(
                x, s, f"{s:.0f} s\n{t / 1e6:.2f} M tokens", ha="center", va="bottom", fontsize=8
            )
        a1.set_title("1. first ingest, full corpus (s)", fontsize=10)
        a1.margins(y=0.25)
    if ingest:
        e = ingest["efficiency"]
        a2.bar(
            ["ONNX\n(interleaved)", "ONNX, whole\ningest", "torch baseline\n(interleaved)"],
            [
                e.get("efficiency_interleaved", 0),
                e["efficiency_whole_ingest"],
                e.get("baseline_efficiency_interleaved", 0),
            ],
            color=["#2a7", "#8c8", "#999"],
        )
        a2.axhline(0.8, color="red", ls="--", lw=1, label="target 0.8")
        a2.set_ylim(0, 1)
        a2.legend(fontsize=8)
        a2.set_title("1. efficiency = achieved / matmul peak", fontsize=10)
    if query:
        labels, p50s, p95s = [], [], []
        for corpus in ("full", "10x"):
            if corpus in query:
                labels.append(f"{corpus}\n({query[corpus]['chunks']} chunks)")
                p50s.append(query[corpus]["p50_ms"])
                p95s.append(query[corpus]["p95_ms"])
        xs = range(len(labels))
        a3.bar([x - 0.2 for x in xs], p50s, 0.4, label="p50", color="#2a7")
        a3.bar([x + 0.2 for x in xs], p95s, 0.4, label="p95", color="#8c8")
        a3.set_xticks(list(xs), labels)
        a3.axhline(50, color="red", ls="--", lw=1, label="p50 target (full)")
        a3.axhline(100, color="orange", ls="--", lw=1, label="p50 target (10x)")
        a3.legend(fontsize=7)
        a3.set_title("3. retrieval latency (ms)", fontsize=10)
    if answer:
        vals = [answer["sources_p50_ms"] / 1000, answer["first_token_p50_s"], answer["total_p50_s"]]
        a4.bar(["sources", "first token", "answer done"], vals, color=["#2a7", "#2a7", "#8c8"])
        a4.axhline(6, color="red", ls="--", lw=1, label="first-token target 6 s")
        a4.legend(fontsize=8)
        a4.set_title("4. warm answer, default model, p50 (s)", fontsize=10)
    if cold:
        a5.bar(
            ["python -c pass", "newsqa ask\n-> sources"],
            [cold["python_startup_s"], cold["p50_s"]],
            color=["#999", "#2a7"],
        )
        a5.axhline(5, color="red", ls="--", lw=1, label="target 5 s")
        a5.legend(fontsize=8)
        a5.set_title("5. cold start (s)", fontsize=10)
    if scale:
        a6.bar(
            ["ingest\nchunks/s", "8 askers\nanswers/s"],
            [scale["ingest"]["chunks_per_s"], scale["askers"]["answers_per_s"]],
            color="#2a7",
        )
        a6.set_title(f"6. Chroma server, at once ({scale['errors']} errors)", fontsize=10)
    m = (ingest or query or answer or cold or scale or {}).get("machine", {})
    fig.suptitle(
        f"newsqa performance · {m.get('cpu', '?')}, {m.get('cores', '?')} cores · data: {CREDIT}",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.md").write_text(markdown())
    chart(RESULTS / "bench.png")
    print(markdown())
    print(f"wrote {RESULTS / 'summary.md'} and {RESULTS / 'bench.png'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
