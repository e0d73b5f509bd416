"""Progress of long runs: a live line on a terminal, plain log lines otherwise."""
from __future__ import annotations

import sys
import time
from typing import IO


class Progress:
    def __init__(self, out: IO[str] = sys.stderr, every: int = 1):
        self.out = out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.n = self.failed = 0
        self.t0 = time.monotonic()
        self.every = every

    def _rate(self) -> float:
        return self.n / max(time.monotonic() - self.t0, 1e-9)

    def done(self, message: str) -> None:
        self.n += 1
        if self.tty:
            self.out.write(f"\r\x1b[K{self.n} articles, {self.failed} failed, {self._rate():.1f}/s  {message[:60]}")
            self.out.flush()
        elif self.n % self.every == 0:
            self.out.write(f"wirewatch: {message}\n")

    def fail(self, message: str) -> None:
        self.failed += 1
        if self.tty:
            self.out.write("\r\x1b[K")
        self.out.write(f"wirewatch: error: {message}\n")
        self.out.flush()

    def close(self) -> None:
        if self.tty:
            self.out.write("\r\x1b[K")
            self.out.flush()
