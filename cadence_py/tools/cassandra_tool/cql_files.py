"""Schema (``.cql``) files: splitting into statements and vetting their kinds."""

from __future__ import annotations

from typing import Optional, Sequence

from cadence_py.tools.cassandra_tool.messages import ToolError, one_line

# Statement kinds a schema file may contain. Anything else (SELECT, TRUNCATE,
# USE ...) in a schema file is almost certainly a mistake, so it is refused
# before any statement runs.
ALLOWED_STATEMENT_KINDS = ("CREATE", "ALTER", "INSERT", "DROP")


def _strip_comment(line: str) -> str:
    """Drop a ``--`` comment, unless the dashes sit inside a quoted string.

    Schema files put comments after column definitions; a naive split would
    also cut string literals such as an e-mail address containing ``--``.
    """
    in_quote: Optional[str] = None
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quote:
            if ch == in_quote:
                in_quote = None
        elif ch in ("'", '"'):
            in_quote = ch
        elif line.startswith("--", i):
            return line[:i]
        i += 1
    return line


def split_statements(text: str) -> list[str]:
    """Split a schema file into statements, the way Cadence's tool does.

    Rules (shared with the upstream files, which rely on them): ``--`` starts
    a comment; lines are joined; a statement ends on a line whose last
    non-comment character is ``;``. Whitespace is kept minimal but nothing
    else is rewritten, so the trailing comma that some ``CREATE TYPE`` field
    lists end with survives (Cassandra accepts it). A trailing statement
    without ``;`` is returned too rather than silently dropped. The ``;``
    itself is removed.
    """
    statements: list[str] = []
    parts: list[str] = []
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if not line:
            continue
        parts.append(line)
        if line.endswith(";"):
            stmt = " ".join(parts)[:-1].strip()
            if stmt:
                statements.append(stmt)
            parts = []
    leftover = " ".join(parts).strip()
    if leftover:
        statements.append(leftover)
    return statements


def check_statement_kinds(statements: Sequence[str], source: str) -> None:
    """Refuse files holding anything but CREATE/ALTER/INSERT/DROP."""
    for stmt in statements:
        first = stmt.split(None, 1)[0].upper() if stmt.split() else ""
        if first not in ALLOWED_STATEMENT_KINDS:
            raise ToolError(
                f"{source}: statement kind {first or '(empty)'!r} not allowed "
                f"(only {', '.join(ALLOWED_STATEMENT_KINDS)}): {one_line(stmt)}"
            )


def read_cql_file(path: str) -> list[str]:
    """Parse and vet one CQL file; empty files are an error (likely a typo)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from exc
    statements = split_statements(text)
    if not statements:
        raise ToolError(f"{path}: no CQL statements found")
    check_statement_kinds(statements, path)
    return statements
