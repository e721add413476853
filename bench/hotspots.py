"""Summarise a py-spy ``--format raw`` profile (collapsed stacks) of the server.

Each line of the file is ``frame;frame;...;leaf COUNT`` with frames written as
``function (file:line)``. bench/run.py records with ``--idle``: every sample of the server's one
OS thread counts, so the shares are of wall time. cadence-py runs on one gevent hub, so a sample
is either the hub waiting for I/O (idle: the leaf is ``Hub.run``) or the thread busy: running
Python, or blocked inside a C call that does not yield to the hub (sqlite3, including its
fsyncs). We report:

* self time per ``file:function`` (the leaf frame: where the CPU actually was; time in C code,
  e.g. inside sqlite3, counts for the Python function that called it), and
* inclusive time per ``file:function`` of the server's own code (every frame on the stack,
  counted once per sample), which shows which request path the time belongs to.

``python -m bench.hotspots profile.txt [--top 25] [--callers typing.py:get_type_hints]`` prints
the tables, and for each ``--callers`` frame the server code paths that reach it.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")
_REPO = str(Path(__file__).resolve().parents[1]) + "/"


def short_file(path: str) -> str:
    """Repo-relative for our code, from the package dir on for installed libraries."""
    if path.startswith(_REPO):
        return path[len(_REPO):]
    for marker in ("/site-packages/", "/lib/python3."):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3." and "/" in tail else tail
    return path


def frame_key(frame: str, line: bool = False) -> str:
    m = _FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    key = f"{short_file(m.group('file'))}:{m.group('func')}"
    return f"{key}:{m.group('line')}" if line and m.group("line") else key


IDLE_LEAVES = ("gevent/hub.py:Hub.run",)


@dataclass
class Profile:
    total: int = 0
    idle: int = 0
    self_lines: Counter[str] = field(default_factory=Counter)
    self_counts: Counter[str] = field(default_factory=Counter)
    inclusive: Counter[str] = field(default_factory=Counter)
    by_area: Counter[str] = field(default_factory=Counter)


def area(key: str) -> str:
    """A coarse bucket for the leaf frame: our packages by subpackage, libraries by name."""
    file = key.rsplit(":", 1)[0]
    if file.startswith("cadence_py/"):
        parts = file.split("/")
        return "/".join(parts[:3]) if len(parts) > 3 else "/".join(parts[:2])
    return file.split("/", 1)[0].removesuffix(".py")


def load(path: Path) -> Profile:
    prof = Profile()
    for raw in path.read_text(errors="replace").splitlines():
        stack, _, count_text = raw.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        raw_frames = [f for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        frames = [frame_key(f) for f in raw_frames]
        if not frames:
            continue
        prof.total += count
        if frames[-1] in IDLE_LEAVES:
            prof.idle += count
            continue
        prof.self_lines[frame_key(raw_frames[-1], line=True)] += count
        prof.self_counts[frames[-1]] += count
        prof.by_area[area(frames[-1])] += count
        for key in set(frames):
            prof.inclusive[key] += count
    return prof


def render(prof: Profile, top: int = 25) -> str:
    if prof.total == 0:
        return "(no samples)"
    def pct(n: int) -> str:
        return f"{100.0 * n / prof.total:5.1f}%"

    headline = (f"{prof.total} samples: hub idle {pct(prof.idle).strip()}, busy "
                f"{pct(prof.total - prof.idle).strip()} (shares below are of all samples = "
                "wall time)")
    out = [headline, "", "self time by file:function (leaf frame)"]
    out += [f"  {pct(n)}  {k}" for k, n in prof.self_counts.most_common(top)]
    out += ["", "self time by file:function:line (leaf frame)"]
    out += [f"  {pct(n)}  {k}" for k, n in prof.self_lines.most_common(15)]
    out += ["", "self time by area"]
    out += [f"  {pct(n)}  {k}" for k, n in prof.by_area.most_common(15)]
    ours = [(k, n) for k, n in prof.inclusive.most_common() if k.startswith("cadence_py/")]
    out += ["", "inclusive time, cadence_py code (every frame on the stack)"]
    out += [f"  {pct(n)}  {k}" for k, n in ours[:top]]
    return "\n".join(out)


def callers(path: Path, target: str, depth: int = 2, top: int = 12) -> str:
    """Where ``target`` (a ``file:function`` key) is called from: the nearest ``depth``
    cadence_py frames above it, as shares of all samples."""
    counts: Counter[str] = Counter()
    total = hit = 0
    for raw in path.read_text(errors="replace").splitlines():
        stack, _, count_text = raw.rstrip().rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [frame_key(f) for f in stack.split(";")
                  if f and not f.startswith(("process ", "thread "))]
        if target not in frames:
            continue
        hit += count
        ours = [f for f in frames[:frames.index(target)] if f.startswith("cadence_py/")]
        counts[" <- ".join(reversed(ours[-depth:])) or "(no cadence_py caller)"] += count
    if total == 0:
        return "(no samples)"
    def pct(n: int) -> str:
        return f"{100.0 * n / total:5.1f}%"

    return "\n".join([f"{pct(hit)}  {target}, called from:"]
                     + [f"  {pct(n)}  {k}" for k, n in counts.most_common(top) if n * 1000 >= total])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--callers", metavar="FILE:FUNCTION", action="append", default=[],
                        help="also break this frame down by its cadence_py callers")
    parser.add_argument("--depth", type=int, default=2, help="caller frames shown (--callers)")
    args = parser.parse_args(argv)
    print(render(load(args.profile), args.top))
    for target in args.callers:
        print()
        print(callers(args.profile, target, args.depth))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
