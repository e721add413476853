"""The in-process server and client fixtures of tests/frontend."""

from tests.frontend.conftest import app, channel, frontend, shared  # noqa: F401
