"""Fault tests: real faults (kill -9, SIGSTOP, closed sockets, hostile bytes) inflicted on
the real parts, checking the promises of docs/failure-model.md."""
