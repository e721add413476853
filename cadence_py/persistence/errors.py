"""Errors every store raises, whatever the database underneath."""


class PersistenceError(Exception):
    """The store failed in a way the caller cannot fix (timeouts, lost connection...)."""


class EntityNotExistsError(PersistenceError):
    """The row asked for is not there."""


class DomainAlreadyExistsError(PersistenceError):
    """A domain with this name already exists."""


class ConditionFailedError(PersistenceError):
    """A conditional write lost a race (e.g. the domain metadata version moved on)."""
