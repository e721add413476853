"""What one run of a client program (Go or Java e2e) reported."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    """One invocation: exit code, the parsed JSON line (if any), and the raw output."""

    code: int
    data: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def explain(self, tail: int = 40) -> str:
        """What to show when an assertion fails: the report and the end of stderr."""
        err = "\n".join(self.stderr.splitlines()[-tail:])
        return (f"exit code {self.code}\nreport: {json.dumps(self.data, indent=1)[:6000]}\n"
                f"stderr (tail):\n{err}")
