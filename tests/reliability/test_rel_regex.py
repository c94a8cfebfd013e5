"""Every regular expression runs in linear time, whatever the text.

Python's ``re`` backtracks, so a pattern with nested or adjacent quantifiers over the
same characters can take quadratic (or exponential) time, and a search for a
pattern that fails at every start position is quadratic even when each attempt is
linear. Questions and article text reach these patterns unfiltered: a question of
30,000 spaces held the chat server for 31 s, and a 64 KB ``.txt`` of dots held the
ingest writer lock for 52 s.

Each compiled pattern of the packages (found by importing every module, so a new
pattern is covered without being listed here) is searched, scanned, substituted and
split over 50,000-character runs of single characters, alternations and the
inputs that were found to be slow. Sizes ramp up fourfold, so a pattern that
has turned quadratic fails within a few seconds instead of running for minutes.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from rag.query import find_outlets, plan_query
from tests.conftest import ROOT, subprocess_env

PACKAGES = ("newsqa", "ingest", "vectorstore", "rag", "ui")
N = 50_000
SIZES = (N // 16, N // 4, N)
# Seconds for search + findall + sub + split of one pattern over one input: linear
# patterns take milliseconds, the quadratic ones took seconds at a third of N.
PAIR_LIMIT = 0.5
MAX_GROWTH = 8.0  # times slower for 4 times the input
HARD_LIMIT = 5.0
PATTERN_LIMIT = 60.0  # a long alternation of phrases is linear but not fast

RUN_CHARS = [" ", "\t", "\n", ".", "!", "?", "a", "A", "1", "-", "_", ":", "#", "<", ">"]
RUN_CHARS += ["[", "]", '"', "'", "|", "é", "中"]
# What follows a run: nothing, or a character that ends whatever the run started.
SUFFIXES = ("", "\x00", "x")
UNITS = [". ", "a ", "A. ", "1,", ", ", "; ", "A-a ", "<a ", "*a ", "_a ", "[1, ", "- "]

Input = Callable[[int], str]


def _inputs() -> dict[str, Input]:
    out: dict[str, Input] = {}
    for char in RUN_CHARS:
        for suffix in SUFFIXES:
            out[f"{char!r}*n+{suffix!r}"] = lambda n, c=char, s=suffix: c * n + s
    for unit in UNITS:
        for suffix in ("", "x"):
            out[f"{unit!r}*k+{suffix!r}"] = lambda n, u=unit, s=suffix: u * (n // len(u)) + s
    # Shapes that were slow (see the module docstring), each ending in a mismatch.
    hostile = {
        "question a<spaces>b": lambda n: "a" + " " * n + "b",
        "heading #<spaces>x": lambda n: "# " + " " * n + "x",
        "heading # x<spaces>x": lambda n: "# x" + " " * n + "x",
        "front matter key<spaces>x": lambda n: "key: x" + " " * n + "x",
        "tag <<spaces>x": lambda n: "<" + " " * n + "x",
        "unclosed <evidence": lambda n: "<evidence " * (n // 10),
        "dots then word": lambda n: "." * n + "x",
        "markers [1<spaces>": lambda n: "[1" + " " * n + "x",
        "comma<spaces>x": lambda n: "," + " " * n + "x",
        "semicolon<spaces>x": lambda n: ";" + " " * n + "x",
        "month<spaces>x": lambda n: "October" + " " * n + "x",
        "the<spaces>x": lambda n: "the" + " " * n + "x",
        "names A-a": lambda n: "a " + "A-a " * (n // 4) + "x",
        "names O'the": lambda n: "the " + "O'the " * (n // 6) + "x",
        "report on names": lambda n: "report on " + "A " * (n // 2) + "x",
        "capitals then stop": lambda n: "A" * n + "!",
        "rule - - -": lambda n: "- " * (n // 2) + "x",
        "after, , ,": lambda n: "after" + ", " * (n // 2) + "x",
        "underscore words": lambda n: "_" + "a_" * (n // 2) + "x",
    }
    out.update(hostile)
    return out


INPUTS = _inputs()


def _modules() -> Iterator[ModuleType]:
    for package in PACKAGES:
        root = importlib.import_module(package)
        yield root
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            yield importlib.import_module(info.name)


def _patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled ``str`` pattern the modules hold, at top level or in a list,
    tuple or dict, named by where it was first found."""
    found: dict[tuple[str, int], tuple[str, re.Pattern[str]]] = {}
    for module in _modules():
        for attr, value in vars(module).items():
            if isinstance(value, list | tuple):
                items = [(f"{attr}[{i}]", v) for i, v in enumerate(value)]
            elif isinstance(value, dict):
                items = [(f"{attr}[{k!r}]", v) for k, v in value.items()]
            else:
                items = [(attr, value)]
            for name, item in items:
                if isinstance(item, re.Pattern) and isinstance(item.pattern, str):
                    key = (item.pattern, item.flags)
                    found.setdefault(key, (f"{module.__name__}.{name}", item))
    return dict(sorted(found.values(), key=lambda pair: pair[0]))


PATTERNS = _patterns()


def _run_all(pattern: re.Pattern[str], text: str) -> float:
    started = time.perf_counter()
    pattern.search(text)
    pattern.findall(text)
    pattern.sub("", text)
    pattern.split(text)
    return time.perf_counter() - started


def test_the_patterns_are_found() -> None:
    """The walk sees the patterns that were slow (and so any new one)."""
    seen = {(p.pattern, p.flags) for p in PATTERNS.values()}
    for module, attr in [
        ("ingest.sentences", "_BOUNDARY"),
        ("ingest.loaders.base", "_KEY_VALUE"),
        ("ingest.loaders.text", "_MD_HEADING"),
        ("rag.cite", "_CLAUSE_BREAK"),
        ("rag.cite", "_MODEL_MARKERS"),
        ("rag.prompt", "_TAGS"),
        ("rag.query", "_CLAUSE_BREAK"),
        ("rag.query", "_LISTED"),
        ("ui.render", "_MARKER"),
        ("vectorstore.lexical", "_TOKEN"),
    ]:
        pattern = getattr(importlib.import_module(module), attr)
        assert (pattern.pattern, pattern.flags) in seen, f"{module}.{attr}"
    assert "rag.query._ATTRIBUTED[0]" in PATTERNS  # patterns in lists count too
    assert len(PATTERNS) > 40


@pytest.mark.parametrize("name", list(PATTERNS))
def test_pattern_runs_in_linear_time(name: str) -> None:
    pattern = PATTERNS[name]
    slow: list[str] = []
    total = 0.0
    for label, make in INPUTS.items():
        previous = None
        for size in SIZES:
            seconds = _run_all(pattern, make(size))
            total += seconds
            # Slow and growing faster than the input (4x the input: a linear pattern
            # takes about 4x, a quadratic one 16x), or slow beyond any doubt; a busy
            # machine slows a linear pattern evenly, so the ratio still tells them apart.
            growth = seconds / max(previous, 1e-3) if previous is not None else 0.0
            if seconds > HARD_LIMIT or (seconds > PAIR_LIMIT and growth > MAX_GROWTH):
                slow.append(f"{label} at n={size:,}: {seconds:.2f} s ({growth:.0f}x)")
                break  # bigger sizes only take longer
            previous = seconds
        if len(slow) >= 3:
            break  # enough to show it, without running for minutes
    assert not slow, f"{name} /{pattern.pattern}/ is not linear:\n" + "\n".join(slow)
    assert total < PATTERN_LIMIT


# -- the reported cases, end to end ---------------------------------------------------


@pytest.mark.timeout(60)  # the old patterns took longer than the age of the universe
def test_outlet_names_with_runs_of_spaces() -> None:
    """A stored outlet name with many spaces, matched in a long question: the name's
    spaces became one ``\\s+`` each, which backtracked exponentially (20 spaces 0.8 s,
    each further space doubling it)."""
    spaced = "The" + " " * 40 + "Verge"
    sources = [spaced, "Tech" + " " * 25 + "Crunch | Startup" + " " * 30 + "News", "Wired"]
    question = (
        "Did The"
        + " " * 39
        + "x report it, and did Wired? "
        + " " * 20_000
        + "What did The"
        + " " * 100
        + "Verge and Tech"
        + " " * 24
        + "Crunch say?"
    )
    started = time.perf_counter()
    found = find_outlets(question, sources)
    plan = plan_query(question, sources)
    assert time.perf_counter() - started < 2.0
    named = [source for _, _, source in found]
    assert named[:2] == ["Wired", spaced]
    assert plan.question == question and {"Wired", spaced} <= set(named)


def test_long_questions_are_planned_quickly() -> None:
    sources = ["The Verge", "Wired"]
    for question in [
        "a" + " " * 30_000 + "b",
        "Did The Verge say" + " " * 30_000 + "that, and" + " " * 30_000 + "x",
        "a " + "A-a " * 10_000 + "x",
        "; , and " * 5_000,
    ]:
        started = time.perf_counter()
        plan_query(question, sources)
        assert time.perf_counter() - started < 2.0, question[:40]


@pytest.mark.slow  # loads the embedder in a subprocess
def test_ingesting_a_line_of_dots_is_quick(tmp_path: Path) -> None:
    """``newsqa ingest`` of a 64 KB line of dots held the writer lock for 52 s; a
    256 KB one (about 14 minutes when the splitter was quadratic) now takes seconds."""
    dots = tmp_path / "dots.txt"
    dots.write_text("." * 256_000 + "\n")
    env = subprocess_env(tmp_path / "home", NEWSQA_EMBEDDER="torch")
    done = subprocess.run(
        [sys.executable, "-m", "ui.cli", "ingest", "--json", "--no-progress", str(dots)],
        capture_output=True,
        text=True,
        env={**env, "NEWSQA_LLM": "extractive"},
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["added"]) == 1
    # The whole run under the writer lock, loading the embedding model and embedding
    # 214 chunks included (about 15 s; 30 s on a busy machine): a generous bound that
    # a quadratic splitter misses by minutes.
    assert report["seconds"] < 120, report["seconds"]
