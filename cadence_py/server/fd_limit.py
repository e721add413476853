"""Raise the process's open-file soft limit to its hard limit at startup.

Every client connection holds a file descriptor, and the soft limit is often 1,024 while
the hard one is far higher: a server left at 1,024 runs out of fds with a thousand idle
clients, and then cannot even accept the CLI. Raising the soft limit needs no privilege
(only the hard one does); the connection cap (transport/limits.py) is sized from the
result.
"""

from __future__ import annotations

import logging
import resource

log = logging.getLogger(__name__)


def raise_fd_limit() -> tuple[int, int]:
    """Set RLIMIT_NOFILE's soft limit to its hard limit; return (soft, hard) after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == hard:
        return soft, hard
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError) as exc:  # e.g. a hard limit above the kernel's nr_open
        log.warning("could not raise the open-file limit from %d to %d: %s", soft, hard, exc)
        return soft, hard
    log.info("open-file limit raised from %d to %d", soft, hard)
    return hard, hard
