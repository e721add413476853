"""Stopping a child process the same way everywhere in the harness and the benchmarks."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def stop_process(proc: "subprocess.Popen[Any]", sig: int = signal.SIGTERM,
                 timeout: float = 20) -> int:
    """Send ``sig`` (its shutdown hook, or a profiler's "write your output now"), wait
    ``timeout`` seconds, then SIGKILL. Returns the exit code; a process that had already
    exited is only reaped."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
