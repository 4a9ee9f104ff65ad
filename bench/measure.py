"""Timing, percentiles and a description of the machine, shared by every benchmark stage."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def percentile(values: Iterable[float], fraction: float) -> float:
    """The nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = math.ceil(round(fraction * len(ordered), 6))
    return ordered[min(max(rank, 1), len(ordered)) - 1]


def summary_ms(seconds: list[float]) -> dict:
    """Median, p95, min and max in milliseconds, and the number of samples."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50": round(statistics.median(ms), 2) if ms else None,
        "p95": round(percentile(ms, 0.95), 2) if ms else None,
        "min": round(min(ms), 2) if ms else None,
        "max": round(max(ms), 2) if ms else None,
        "n": len(ms),
    }


def timed(function: Callable[[], object], *, repeat: int, warmup: int = 1, budget_s: float | None = None,
          min_repeat: int = 5) -> tuple[list[float], object, float | None]:
    """Run ``function`` ``warmup`` times, then up to ``repeat`` times timed.

    Returns the timed runs, the last result, and how long the first warm-up run took (the
    first time this query is seen, before anything the engine caches for it).
    With ``budget_s``, stops early (after at least ``min_repeat`` runs) once the timed runs
    have taken that long, so one pathological query cannot eat the whole run.
    """
    result, first = None, None
    for _ in range(warmup):
        start = time.perf_counter()
        result = function()
        first = time.perf_counter() - start if first is None else first
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
        if budget_s is not None and len(times) >= min_repeat and sum(times) > budget_s:
            break
    return times, result, first


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    from importlib.metadata import version

    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "django": version("Django"),
        "whoosh": version("Whoosh-Reloaded"),
        "gunicorn": version("gunicorn"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--", "archive", "search", "config", "templates")),
        "executable": sys.executable,
    }
