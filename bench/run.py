"""Hello-world workflow benchmark: cadence-py driven by the real Cadence Go client.

    python -m bench.run --backend sqlite --n 500
    python -m bench.run --backend cassandra --n 500
    python -m bench.run --backend sqlite --n 2000 --profile out/   # + py-spy of the server

Builds the Go driver (bench/go, cached under $CADENCE_PY_CACHE), starts cadence-py as a
subprocess on a fresh data dir (and, for Cassandra, a real Cassandra node with fresh keyspaces),
registers a domain, runs the driver (worker + starters + waiters, all on loopback), prints the
figures and stops everything. Nothing here is a test: it prints numbers and exits 0 when every
workflow completed with the expected history, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import driver, hotspots
from tests.harness.cassandra import yaml_item
from tests.harness.processes import stop_process
from tests.harness.server import CASSANDRA_CONFIG, SQLITE_CONFIG, ServerProcess

REPO = Path(__file__).resolve().parents[1]
SERVER_DIRS = ("cadence_py", "idl", "schema", "config")  # what the server reads at run time

def cpu_seconds(pid: int | None) -> float | None:
    """utime + stime of a live process, from /proc (None when unknown)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: cpu_speed_probe() as seen here: 0.13-0.31 s in sessions 3-9 (2026-11), 0.07-0.08 s in
#: session 10 (2026-12-06). Compare runs only at like probes.
PROBE_SEEN = "0.07-0.08 s in session 10, 0.13-0.31 s before"


def child_pids(pid: int) -> list[int]:
    """The live children of ``pid`` (the SQLite writer process of the server)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def cpu_speed_probe() -> float:
    """CPU seconds of a fixed pure-Python loop. The VM's cores are shared with other guests
    and their speed changes by up to 1.7x from minute to minute (same loop: 0.79 to 1.37 s),
    so each result carries this probe: compare figures only at similar probe times."""
    started = time.process_time()
    total = 0
    for i in range(3_000_000):
        total += i
    return round(time.process_time() - started, 3)


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine (all cores) since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Meter:
    """CPU seconds of some processes, and of the whole machine, between two points in time.

    The machine is shared: what the machine used beyond our processes ("others") is load from
    elsewhere that competed for the 2 cores, and is reported next to the figures.
    """

    def __init__(self, pids: dict[str, int | None]) -> None:
        self.pids = dict(pids)
        self.start: dict[str, float | None] = {}
        self.t0 = self.t1 = 0.0
        self.used: dict[str, float | None] = {}
        self.load: list[float] = []

    def begin(self) -> None:
        self.t0 = time.monotonic()
        self.start = {k: cpu_seconds(p) for k, p in self.pids.items()}
        self.start["machine"] = machine_cpu_seconds()
        self.load = [round(os.getloadavg()[0], 2)]

    def end(self) -> None:
        self.t1 = time.monotonic()
        for k, p in self.pids.items():
            now, before = cpu_seconds(p), self.start.get(k)
            self.used[k] = None if now is None or before is None else now - before
        self.used["machine"] = machine_cpu_seconds() - (self.start.get("machine") or 0.0)
        self.load.append(round(os.getloadavg()[0], 2))

    def report(self) -> dict[str, Any]:
        wall = max(self.t1 - self.t0, 1e-9)
        out: dict[str, Any] = {k: {"cpuSec": round(v, 2), "cores": round(v / wall, 2)}
                               for k, v in self.used.items() if v is not None}
        ours = sum(v for k, v in self.used.items() if v is not None and k != "machine")
        if "machine" in self.used:
            others = max(self.used["machine"] - ours, 0.0)
            out["others"] = {"cpuSec": round(others, 2), "cores": round(others / wall, 2)}
        out["loadavg1m"] = self.load
        out["measuredWallSec"] = round(wall, 2)
        return out


class PySpy:
    """``py-spy record --idle`` on the server for the measured phase (raw collapsed stacks)."""

    def __init__(self, pid: int, out: Path, rate: int) -> None:
        self.pid, self.out, self.rate = pid, out, rate
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("py-spy")
        if exe is None:
            raise FileNotFoundError("py-spy not found: pip install py-spy")
        with open(self.out.with_suffix(".log"), "wb") as log:  # the child keeps its own fd
            self.proc = subprocess.Popen(
                [exe, "record", "--pid", str(self.pid), "--rate", str(self.rate), "--format",
                 "raw", "--idle", "--nonblocking", "--output", str(self.out)],
                stdout=subprocess.DEVNULL, stderr=log)

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_process(self.proc, signal.SIGINT, 60)  # py-spy writes its output on SIGINT
        self.proc = None


class PerfStat:
    """``perf stat -e instructions,cycles`` on one process for the measured phase.

    Why: the VM's cores change speed from minute to minute, so CPU seconds per workflow
    swing by 1.5x between back-to-back runs of the same code. The count of instructions
    does not; it is the figure to compare two versions of the code by.
    """

    EVENTS = ("instructions", "cycles")

    def __init__(self, pid: int, out: Path) -> None:
        self.pid, self.out = pid, out
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("perf")
        if exe is None:
            raise FileNotFoundError("perf not found: apt-get install linux-perf")
        self.proc = subprocess.Popen(
            [exe, "stat", "-x", ",", "-e", ",".join(self.EVENTS), "-p", str(self.pid),
             "-o", str(self.out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> dict[str, int]:
        """The counts (an event the machine does not count is left out)."""
        if self.proc is None:
            return {}
        stop_process(self.proc, signal.SIGINT, 30)  # perf prints its counts on SIGINT
        self.proc = None
        counts: dict[str, int] = {}
        for line in self.out.read_text().splitlines() if self.out.exists() else []:
            fields = line.split(",")
            if len(fields) > 2 and fields[2] in self.EVENTS and fields[0].isdigit():
                counts[fields[2]] = int(fields[0])
        return counts


def start_cassandra(workdir: Path, heap: str, log_level: str, jvm_opts: list[str],
                    extra_config: dict[str, Any]) -> tuple[Any, str]:
    """A fresh Cassandra node with both Cadence keyspaces; returns (node, server config)."""
    from tests.conftest import new_keyspace, setup_cadence_keyspaces
    from tests.harness import cassandra as cassandra_harness

    cassandra_harness.fetch()
    node = cassandra_harness.CassandraNode(workdir / "cassandra", heap=heap,
                                            jvm_opts=jvm_opts, extra_config=extra_config)
    print(f"[run] starting Cassandra {cassandra_harness.VERSION} on 127.0.0.1:{node.port} ...",
          file=sys.stderr, flush=True)
    node.start()
    keyspace, visibility = new_keyspace("cadence"), new_keyspace("cadence_visibility")
    setup_cadence_keyspaces(node, keyspace, visibility)
    return node, CASSANDRA_CONFIG.format(log_level=log_level, host=node.contact_point,
                                         port=node.port, keyspace=keyspace, visibility=visibility)



def run_driver(binary: Path, address: str, args: argparse.Namespace, domain: str,
               on_phase: dict[str, Any], log_path: Path, meter: Meter
               ) -> tuple[int, dict[str, Any]]:
    """Run the driver; forward its stderr, calling on_phase[...] at its phase markers."""
    cmd = [str(binary), "--address", address, "--domain", domain, "--timeout", f"{args.timeout}s",
           "--n", str(args.n), "--warmup", str(args.warmup), "--starters", str(args.starters),
           "--waiters", str(args.waiters), "--start-rate", str(args.start_rate),
           "--workers", str(args.workers), "--decision-pollers", str(args.decision_pollers),
           "--activity-pollers", str(args.activity_pollers),
           "--decision-concurrency", str(args.decision_concurrency),
           "--activity-concurrency", str(args.activity_concurrency),
           f"--sticky={'true' if args.sticky else 'false'}", f"--verify={'true' if args.verify else 'false'}",
           "run"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    meter.pids["driver"] = proc.pid

    def pump() -> None:
        assert proc.stderr is not None
        with open(log_path, "w") as log:
            for line in proc.stderr:
                log.write(line)
                marker = line.strip()
                if marker in on_phase:
                    on_phase[marker]()
                if line.startswith("[bench]") or args.verbose:
                    sys.stderr.write(line)
                    sys.stderr.flush()

    chunks: list[str] = []

    def collect() -> None:
        assert proc.stdout is not None
        chunks.append(proc.stdout.read())

    # Not communicate(): it would read stderr too, racing pump for the phase markers.
    readers = [threading.Thread(target=pump, daemon=True),
               threading.Thread(target=collect, daemon=True)]
    for reader in readers:
        reader.start()
    try:
        proc.wait(timeout=args.timeout + 60)
    except subprocess.TimeoutExpired:
        pass
    finally:  # also on Ctrl-C / SIGTERM: never leave the driver behind
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for reader in readers:
        reader.join(10)
    return proc.returncode, driver.last_json_line("".join(chunks))


def snapshot(rev: str, dest: Path) -> str:
    """Extract cadence_py, idl, schema and config at git revision ``rev`` into ``dest``; return
    the commit id. Others edit the work tree while benchmarks run; a snapshot keeps the
    measured code fixed and names it."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=REPO,
                            check=True, capture_output=True, text=True).stdout.strip()
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit, *SERVER_DIRS],
                             cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return commit


def copy_worktree(dest: Path) -> None:
    """The work tree's server code as it is now (with uncommitted edits), copied so that
    edits made while the benchmark runs do not reach the running server."""
    for name in SERVER_DIRS:
        shutil.copytree(REPO / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def start_server(config: Path, data_dir: Path, code_dir: Path) -> ServerProcess:
    """ServerProcess runs ``python -m cadence_py.server.cli`` from our working directory, and
    ``-m`` looks there first: starting it from ``code_dir`` runs that copy of the code."""
    here = os.getcwd()
    os.chdir(code_dir)
    try:
        return ServerProcess(config, data_dir).start()
    finally:
        os.chdir(here)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=["sqlite", "cassandra"], default="sqlite")
    p.add_argument("--n", type=int, default=500, help="measured workflows")
    p.add_argument("--warmup", type=int, default=20, help="workflows run before measuring")
    p.add_argument("--starters", type=int, default=8, help="concurrent starters")
    p.add_argument("--waiters", type=int, default=64, help="concurrent close-event long-polls")
    p.add_argument("--start-rate", type=float, default=0, help="cap on starts/s (0 = no cap)")
    p.add_argument("--workers", type=int, default=1, help="Go worker instances")
    p.add_argument("--decision-pollers", type=int, default=4)
    p.add_argument("--activity-pollers", type=int, default=4)
    p.add_argument("--decision-concurrency", type=int, default=0, help="0 = client default")
    p.add_argument("--activity-concurrency", type=int, default=0, help="0 = client default")
    p.add_argument("--sticky", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--verify", action=argparse.BooleanOptionalAction, default=True,
                   help="read every history afterwards and check its events")
    p.add_argument("--timeout", type=int, default=0,
                   help="driver budget in seconds (default 120 + n/2)")
    p.add_argument("--log-level", default="info", help="server log level")
    p.add_argument("--shards", type=int, default=0,
                   help="persistence.numHistoryShards (0 = the server's default, 4)")
    p.add_argument("--cassandra-heap", default="1G")
    p.add_argument("--cassandra-jit", choices=["c1", "c2"], default="c1",
                   help="c1 (default): the test harness setting, C1 only (boots fast; in "
                        "runs of a few hundred workflows C2 compiling costs more than it "
                        "saves); c2: the full tiered JIT, as a production node runs")
    p.add_argument("--cassandra-jvm-opt", action="append", default=[], metavar="OPT",
                   help="one more JVM option for the node (after the harness's), e.g. -da")
    p.add_argument("--cassandra-yaml", action="append", default=[], metavar="KEY=VALUE",
                   help="override a cassandra.yaml key (repeatable; VALUE as JSON where it parses)")
    p.add_argument("--profile", type=Path, metavar="DIR",
                   help="py-spy the server during the measured phase; write DIR/profile.txt")
    p.add_argument("--profile-rate", type=int, default=250, help="py-spy samples per second")
    p.add_argument("--sqlite-writer-process", action="store_true",
                   help="SQLite writes in a writer process (config sqlite.writerProcess)")
    p.add_argument("--perf", action="store_true",
                   help="count the server's (SQLite writer's, Cassandra's) instructions with perf "
                        "stat: the figure that does not move with the VM's speed")
    p.add_argument("--workdir", type=Path, help="keep data and logs here (default: temp, removed)")
    p.add_argument("--json-out", type=Path, help="append the result as one JSON line")
    p.add_argument("--code", default="worktree", metavar="worktree|REV",
                   help="server code, copied to the workdir before the server starts: the work "
                        "tree as it is (default), or a git revision (e.g. HEAD)")
    p.add_argument("--verbose", action="store_true", help="forward all driver stderr")
    args = p.parse_args(argv)
    # Clean up (server, Cassandra, driver) on SIGTERM, and on SIGINT even when started with
    # SIGINT ignored (a background job of a non-interactive shell).
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    if args.timeout <= 0:
        args.timeout = 120 + args.n // 2

    binary = driver.build()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="cadence-py-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    node = server = spy = None
    result: dict[str, Any] = {}
    try:
        if args.backend == "cassandra":
            node, config_text = start_cassandra(
                workdir, args.cassandra_heap, args.log_level,
                (["-XX:TieredStopAtLevel=4"] if args.cassandra_jit == "c2" else [])
                + args.cassandra_jvm_opt,
                dict(yaml_item(kv) for kv in args.cassandra_yaml))
        else:
            config_text = SQLITE_CONFIG.format(log_level=args.log_level)
            if args.sqlite_writer_process:
                config_text = config_text.replace("{path: cadence.db}",
                                                  "{path: cadence.db, writerProcess: true}")
        if args.shards:
            config_text = config_text.replace(
                "persistence:\n", f"persistence:\n  numHistoryShards: {args.shards}\n", 1)
        config = workdir / "config.yaml"
        config.write_text(config_text)
        code_dir = workdir / "code"
        if args.code == "worktree":
            dirty = subprocess.run(["git", "status", "--porcelain", "--", "cadence_py"], cwd=REPO,
                                   capture_output=True, text=True, check=False).stdout.strip()
            head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True,
                                  text=True, check=False).stdout.strip()
            result_code = {"code": "worktree", "head": head,
                           "uncommittedServerFiles": len(dirty.splitlines()) if dirty else 0}
            copy_worktree(code_dir)
        else:
            result_code = {"code": args.code, "commit": snapshot(args.code, code_dir)}
        server = start_server(config, workdir / "data", code_dir)
        assert server.proc is not None
        print(f"[run] cadence-py ({args.backend}) on {server.address}, pid {server.proc.pid}, "
              f"workdir {workdir}", file=sys.stderr, flush=True)

        domain = f"bench-{uuid.uuid4().hex[:8]}"
        reg = subprocess.run([str(binary), "--address", server.address, "--domain", domain,
                              "--timeout", "60s", "register-domain"],
                             capture_output=True, text=True, timeout=120, check=False)
        if reg.returncode != 0:
            raise RuntimeError(f"register-domain failed: {reg.stdout}{reg.stderr[-2000:]}")

        writers = child_pids(server.proc.pid)  # SQLite: the writer process (sqlite/writer.py)
        meter = Meter({"server": server.proc.pid, "cassandra": node.pid() if node else None,
                       "sqlite-writer": writers[0] if writers else None})
        if args.profile:
            args.profile.mkdir(parents=True, exist_ok=True)
            spy = PySpy(server.proc.pid, args.profile / "profile.txt", args.profile_rate)

        perfs = {}
        if args.perf:
            perfs = {name: PerfStat(pid, workdir / f"perf-{name}.txt")
                     for name, pid in meter.pids.items()
                     if pid and name in ("server", "sqlite-writer", "cassandra")}

        def phase_start() -> None:
            for perf in perfs.values():
                perf.start()
            if spy:  # attach first, so the meter sees py-spy's own CPU as ours
                spy.start()
                meter.pids["py-spy"] = spy.proc.pid if spy.proc else None
            meter.begin()

        def phase_end() -> None:
            meter.end()
            for name, perf in perfs.items():
                counts[name] = perf.stop()
            if spy:
                spy.stop()

        counts: dict[str, dict[str, int]] = {}
        calibration_before = cpu_speed_probe()
        code, result = run_driver(binary, server.address, args, domain,
                                  {"[bench] phase measure start": phase_start,
                                   "[bench] phase measure end": phase_end},
                                  workdir / "driver.log", meter)
        if spy:
            spy.stop()
        result["driverExit"] = code
        result["cpuProbeSec"] = [calibration_before, cpu_speed_probe()]
        result["serverCode"] = result_code
        if args.backend == "sqlite":
            result["sqliteWriterProcess"] = args.sqlite_writer_process
        if node:
            result["cassandraNode"] = {"jit": args.cassandra_jit, "heap": args.cassandra_heap,
                                       "jvmOpts": args.cassandra_jvm_opt,
                                       "yaml": dict(yaml_item(kv) for kv in args.cassandra_yaml)}
        result["cpu"] = meter.report()
        for name, perf in perfs.items():
            counts.setdefault(name, perf.stop())
        if counts and result.get("completed"):
            # millions of instructions per completed workflow, per process
            result["mInstructionsPerWorkflow"] = {
                name: round(c["instructions"] / 1e6 / result["completed"], 2)
                for name, c in counts.items() if "instructions" in c}
            result["perfCounts"] = counts
        server_cpu = result["cpu"].get("server", {}).get("cpuSec")
        if server_cpu is not None and result.get("completed"):
            # The server's CPU cost per workflow: less sensitive than completed/s to how much
            # CPU other processes leave us (though contention for the cores inflates it too).
            result["serverCpuMsPerWorkflow"] = round(1000 * server_cpu / result["completed"], 1)
            writer_cpu = result["cpu"].get("sqlite-writer", {}).get("cpuSec")
            if writer_cpu is not None:
                result["writerCpuMsPerWorkflow"] = round(
                    1000 * writer_cpu / result["completed"], 1)
        result["executionStore"] = args.backend
    finally:
        if spy:
            spy.stop()
        if server:
            server.stop()
        if node:
            node.stop()
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    result.update(backend=args.backend, machine={"cpus": os.cpu_count(),
                  "python": platform.python_version(), "platform": platform.platform()},
                  date=datetime.now(UTC).isoformat(timespec="seconds"))
    print(json.dumps(result, indent=1, sort_keys=True))
    lat = result.get("latencyMs", {})
    cpu = result.get("cpu", {})

    def cores(key: str) -> Any:
        return cpu.get(key, {}).get("cores", "-")

    print(f"\n{args.backend}: {result.get('summary', 'no result: ' + str(result.get('error')))}"
          f"\n  executions stored in: {result.get('executionStore')}; p50/p99 start-to-close "
          f"{lat.get('p50', '-')}/{lat.get('p99', '-')} ms"
          f"\n  server CPU per workflow: {result.get('serverCpuMsPerWorkflow', '-')} ms, its "
          f"SQLite writer process: {result.get('writerCpuMsPerWorkflow', '-')} ms"
          f"\n  CPU cores used in the measured phase: server {cores('server')}, SQLite writer "
          f"{cores('sqlite-writer')}, driver "
          f"{cores('driver')}, cassandra {cores('cassandra')}, py-spy {cores('py-spy')}, "
          f"other processes {cores('others')} (load avg {cpu.get('loadavg1m')})"
          f"\n  millions of instructions per workflow (--perf): "
          f"{result.get('mInstructionsPerWorkflow', '-')}"
          f"\n  CPU speed probe before/after: {result.get('cpuProbeSec')} s "
          f"(the same pure-Python loop, lower is faster; {PROBE_SEEN})")
    if args.json_out:
        with open(args.json_out, "a") as out:
            out.write(json.dumps(result, sort_keys=True) + "\n")
    if args.profile and (args.profile / "profile.txt").exists():
        print("\nserver profile (py-spy, measured phase):")
        print(hotspots.render(hotspots.load(args.profile / "profile.txt")))
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    raise SystemExit(main())
