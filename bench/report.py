"""Markdown table of results appended by ``python -m bench.run --json-out FILE``.

    python -m bench.report results.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def histories(r: dict[str, Any]) -> str:
    """Checked histories: expected / with a sticky fallback / anything else."""
    checked, bad = r.get("historyChecked"), r.get("historyMismatches", 0)
    if checked is None:
        return "-"
    if "stickyFallbacks" not in r:  # older driver: any difference counted as a mismatch
        return f"{checked - bad} exact, {bad} other"
    fallbacks = r["stickyFallbacks"]
    return f"{checked - bad - fallbacks} / {fallbacks} / {bad}"


def row(r: dict[str, Any]) -> str:
    cfg = r.get("config", {})
    lat = r.get("latencyMs", {})
    cpu = r.get("cpu", {})

    def cores(key: str) -> Any:
        return cpu.get(key, {}).get("cores", "-")

    pace = f"{cfg.get('startRate'):g}/s" if cfg.get("startRate") else "burst"
    store = r.get("executionStore", r.get("backend"))
    if str(store).startswith("sqlite-file"):
        store = "SQLite file (fallback)"
    code = r.get("serverCode", {})
    commit = code.get("commit", "")[:7]
    if code.get("code") == "worktree":
        code_text = (f"worktree ({code.get('uncommittedServerFiles')} changed files on "
                     f"{code.get('head', '')[:7]})")
    elif commit.startswith(str(code.get("code"))[:7]):
        code_text = commit
    else:
        code_text = f"{code.get('code')} = {commit}"
    cells = [r.get("date", "")[:16].replace("T", " "), code_text, r.get("backend", "?"), store,
             r.get("n"),
             pace, f"{r.get('completed')}/{r.get('n')}", r.get("wallSec"),
             f"**{r.get('completedPerSec')}**", lat.get("p50"), lat.get("p90"), lat.get("p99"),
             histories(r), r.get("serverCpuMsPerWorkflow", "-"), cores("server"),
             cores("others"),
             "/".join(str(x) for x in cpu.get("loadavg1m", []))]
    return "| " + " | ".join(str(c) for c in cells) + " |"


HEADER = ("| date (UTC) | server code | backend | executions in | N | starts | completed | wall s | "
          "completed/s | p50 ms | p90 ms | p99 ms | histories: exact / sticky fallback / other | "
          "server CPU ms/wf | server cores | "
          "other procs' cores | load avg |\n" + "|---" * 17 + "|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path)
    args = parser.parse_args(argv)
    print(HEADER)
    for line in args.results.read_text().splitlines():
        if line.strip():
            print(row(json.loads(line)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
