"""Structured log lines: JSON objects or logfmt ``key=value`` pairs.

Operators feed server logs to collectors that parse fields, and chase one failing call
across many lines; so every line carries ts, level, logger and msg, and a line written
while a call is being served also carries that call's request id, domain, workflow id
and run id (taken from ``rpc.context.current_request``, so no handler passes them on).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import datetime, timezone
from typing import Any, TextIO

from cadence_py.rpc.context import current_request

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
          "warning": logging.WARNING, "error": logging.ERROR}
_BARE = re.compile(r"[^\s\"=\\]+")


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The ordered fields of one log line."""
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, timezone.utc)
        .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": record.levelname.lower(),
        "logger": record.name,
        "msg": record.getMessage(),
    }
    ctx = current_request.get()
    if ctx is not None:
        fields["request_id"] = ctx.request_id
        fields["operation"] = ctx.method
        for key in ("domain", "workflow_id", "run_id"):
            value = getattr(ctx, key)
            if value:
                fields[key] = value
    if record.exc_info:
        fields["exc"] = logging.Formatter().formatException(record.exc_info)
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(record_fields(record), ensure_ascii=False, default=str)


def _logfmt_value(value: Any) -> str:
    text = str(value)
    if text and _BARE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


class LogfmtFormatter(logging.Formatter):
    """``ts=... level=info logger=... msg="..." request_id=...`` (logfmt)."""

    def format(self, record: logging.LogRecord) -> str:
        return " ".join(f"{key}={_logfmt_value(value)}"
                        for key, value in record_fields(record).items())


def setup_logging(level: str, fmt: str, stream: TextIO | None = None) -> None:
    """Route the root logger to ``stream`` (stderr) as ``json`` or ``text`` (logfmt)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else LogfmtFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS.get(level.lower(), logging.INFO))
