"""What one run of a client program (Go or Java e2e) reported."""

from __future__ import annotations

import json
import subprocess
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


def run_program(cmd: list[str], budget: float) -> Report:
    """Run a client program that bounds itself by ``budget`` and prints its report as the
    last JSON line of stdout; the subprocess timeout (budget + 30 s) is a last resort."""
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True,
                              timeout=budget + 30)
    except subprocess.TimeoutExpired as exc:
        return Report(code=-1, stdout=_text(exc.stdout), stderr=_text(exc.stderr)
                      + f"\n[harness] killed after {budget + 30}s")
    data: dict[str, Any] = {}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    return Report(code=done.returncode, data=data, stdout=done.stdout, stderr=done.stderr)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.decode(errors="replace")
