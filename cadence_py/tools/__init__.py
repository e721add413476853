"""Operator command-line tools shipped with cadence-py.

These are the stand-ins for the upstream Go server's admin binaries (for
example ``cadence-cassandra-tool``). They keep the upstream flag names and
behaviour so existing deployment scripts and docs work unchanged, and they do
not need gevent: they are short-lived, single-threaded processes.
"""
