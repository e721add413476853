"""The worker role: system workflows that upstream's worker service runs
(domain deprecation), as a client of this process's frontend."""

from cadence_py.worker.service import SystemWorker

__all__ = ["SystemWorker"]
