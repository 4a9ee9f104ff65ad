"""A progress line for long commands: redrawn in place on a terminal, sparse in logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, *, stream: TextIO | None = None, min_interval: float = 0.2):
        self.label = label
        self.stream = stream or sys.stderr
        self.is_tty = self.stream.isatty()
        self.min_interval = min_interval if self.is_tty else 5.0
        self._last = 0.0
        self._started = time.monotonic()

    def __call__(self, done: int, total: int, *_: object) -> None:
        now = time.monotonic()
        if done < total and now - self._last < self.min_interval:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(now - self._started, 1e-6)
        line = f"{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:,.0f}/s)"
        if self.is_tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
