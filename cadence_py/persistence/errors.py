"""Errors every store raises, whatever the database underneath."""

import logging
import sys


class PersistenceError(Exception):
    """The store failed in a way the caller cannot fix (timeouts, lost connection...)."""


class EntityNotExistsError(PersistenceError):
    """The row asked for is not there."""


class DomainAlreadyExistsError(PersistenceError):
    """A domain with this name already exists."""


class ConditionFailedError(PersistenceError):
    """A conditional write lost a race (e.g. the domain metadata version moved on)."""


class StaleReadError(PersistenceError):
    """A read gave a state older than a task that was written with a later one (the write
    that added the task was still being applied). Retried, after the run is read again."""


def log_failure(logger: logging.Logger, message: str, *args: object) -> None:
    """Log the exception being handled, from an ``except`` block of a loop that retries.

    A store failure (node down, timeout) is expected during an outage and may repeat
    thousands of times: one warning line, its message included. Anything else is a bug
    and gets its traceback.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, PersistenceError):
        logger.warning(message + ": %s", *args, exc)
    else:
        logger.exception(message, *args)
