"""cadence-py: a Cadence-compatible workflow server in Python.

The server speaks Cadence's wire protocol (Thrift over TChannel on port 7933) so the
unmodified Cadence CLI and the Go and Java clients can use it. The package is split by
role so that the roles can later run as separate processes:

- ``transport``: TChannel framing, connections, server and client (knows frames only).
- ``rpc``: Thrift encoding over TChannel and method dispatch (knows structs, not frames).
- ``frontend``: the WorkflowService/AdminService handlers (knows requests, not bytes).
- ``persistence``: storage interfaces with SQLite and Cassandra implementations.
- ``server``: configuration, wiring and the ``cadence-py`` command line.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("cadence-py")
except _metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+local"
