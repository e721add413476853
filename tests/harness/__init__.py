"""Test harnesses that run real servers (Cassandra, ...) for the test suite."""
