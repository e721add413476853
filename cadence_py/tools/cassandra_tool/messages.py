"""What the tool tells the user: its name, its error type, progress lines."""

from __future__ import annotations

import click

PROG_NAME = "cadence-cassandra-tool"


class ToolError(Exception):
    """A failure we can explain in one line; reported without a traceback."""


def say(message: str) -> None:
    """Progress output goes to stdout; errors go to stderr (see main())."""
    click.echo(message)


def one_line(stmt: str, limit: int = 160) -> str:
    """Collapse whitespace so a statement fits one log/error line."""
    flat = " ".join(stmt.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
