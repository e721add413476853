"""Storage behind the roles: interfaces plus SQLite and Cassandra implementations.

Handlers depend on the interfaces in ``domains`` (and later, executions, tasks, ...);
``factory.open_stores`` picks the implementation from config. Both implementations must
pass the same contract tests in tests/persistence/.
"""

from cadence_py.persistence.domains import (
    BadBinary,
    DomainConfig,
    DomainInfo,
    DomainRecord,
    DomainStore,
    ReplicationConfig,
)
from cadence_py.persistence.errors import (
    ConditionFailedError,
    DomainAlreadyExistsError,
    EntityNotExistsError,
    PersistenceError,
)

__all__ = [
    "BadBinary",
    "ConditionFailedError",
    "DomainAlreadyExistsError",
    "DomainConfig",
    "DomainInfo",
    "DomainRecord",
    "DomainStore",
    "EntityNotExistsError",
    "PersistenceError",
    "ReplicationConfig",
]
