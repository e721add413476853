"""A seeded fuzzer of our own over every WorkflowService and AdminService method.

For a bounded time (``CADENCE_PY_FUZZ_SECONDS`` a backend, 35 s by default) two callers
send generated requests (tests/faults/fuzz_requests.py: well-typed, mutated, wrong-typed,
not UTF-8, oversize) to a real server subprocess, on SQLite and on Cassandra, while a
victim client calls DescribeDomain on its own connection. The run fails on:

- an undeclared error: an error frame other than BAD_REQUEST (what an undecodable or
  oversize call gets), or TIMEOUT on a method that is not a long poll;
- a traceback in the server's log;
- a victim call that fails, or takes over 100 ms (DescribeDomain on Cassandra: 1 s, see
  hostile.DESCRIBE_LIMIT_MS).

The seed is printed (under CI it is always CI_SEED, so a red CI replays; elsewhere a new
one each run); ``CADENCE_PY_FUZZ_SEED=N`` replays it (each caller draws from its
own ``Random(seed + i)``, so the requests repeat; how many are sent depends on time).
Failing requests are written to the test's tmp dir as ``<n>-<method>.arg3``.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import gevent
import pytest

from cadence_py.rpc import idl
from cadence_py.transport.errors import ErrorCode
from tests.conftest import IN_CI
from tests.faults.fuzz_requests import Pools, RequestFuzzer
from tests.faults.hostile import (
    Outcome,
    RawClient,
    Victim,
    register_domain,
    serve,
    DESCRIBE_LIMIT_MS,
    tracebacks,
    unique,
    victim_problems,
    victim_summary,
)

S = idl.shared()
SECONDS = float(os.environ.get("CADENCE_PY_FUZZ_SECONDS", "35"))
CALLERS = 2
#: Calls a second per caller at most: unthrottled, the fuzzer's own CPU (about 600
#: calls/s) starved the victim's process on a 2-core machine.
RATE = float(os.environ.get("CADENCE_PY_FUZZ_RATE", "100"))
TTL_MS = 3000
#: Methods that may wait for work (their TIMEOUT is an answer, not a hang).
LONG_POLLS = {"PollForDecisionTask", "PollForActivityTask", "GetWorkflowExecutionHistory",
              "QueryWorkflow", "GetTaskListsByDomain"}
#: Undeclared exceptions upstream answers too (frontend/domains/delete.py says why).
AS_UPSTREAM = {("DeleteDomain", "EntityNotExistsError")}


#: The seed CI uses, so a red CI replays; runs elsewhere explore new seeds.
CI_SEED = 20261207


def seed() -> int:
    value = os.environ.get("CADENCE_PY_FUZZ_SEED")
    if value:
        return int(value)
    if IN_CI:
        return CI_SEED
    return random.SystemRandom().randrange(2**32)


def pools(client: RawClient, domain: str) -> Pools:
    """The domain, a second one, two runs and a real decision task token, so generated
    requests reach past the first checks."""
    other = unique("fuzz-other")
    register_domain(client.channel.port, other)
    strings = [domain, domain, other, "fuzz-tl", "fuzz-type", "cadence-system"]
    for i in range(2):
        workflow_id = unique("fuzz-wf")
        started = client.frontend.call("StartWorkflowExecution", S.StartWorkflowExecutionRequest(
            domain=domain, workflowId=workflow_id, workflowType=S.WorkflowType(name="fuzz-type"),
            taskList=S.TaskList(name="fuzz-tl"), executionStartToCloseTimeoutSeconds=3600,
            taskStartToCloseTimeoutSeconds=10, requestId=unique("r")), ttl_ms=30_000)
        strings += [workflow_id, started.runId]
    task = client.frontend.call("PollForDecisionTask", S.PollForDecisionTaskRequest(
        domain=domain, taskList=S.TaskList(name="fuzz-tl"), identity="fuzzer"), ttl_ms=30_000)
    return Pools(strings=strings, binaries=[task.taskToken] if task.taskToken else [])


def verdict(method: str, outcome: Outcome) -> str | None:
    """None when ``outcome`` is a declared answer, else what was wrong."""
    if outcome.kind in ("ok", "declared"):
        return None
    code, text = outcome.value.code, str(outcome.value)
    if code == ErrorCode.BAD_REQUEST or (code == ErrorCode.TIMEOUT and method in LONG_POLLS):
        return None
    if code == ErrorCode.UNEXPECTED and any(
            method == m and f"unexpected: {name}:" in text for m, name in AS_UPSTREAM):
        return None
    return outcome.describe()[:300]


@pytest.mark.parametrize("backend", ["sqlite",
                                     pytest.param("cassandra", marks=pytest.mark.cassandra)])
def test_fuzz_every_method(backend: str, tmp_path: Path, request: pytest.FixtureRequest
                           ) -> None:
    base_seed = seed()
    print(f"\nfuzz seed {base_seed} (CADENCE_PY_FUZZ_SEED={base_seed} replays it), "
          f"{SECONDS:.0f} s on {backend}")
    with serve(backend, tmp_path, request) as server:
        domain = unique("fuzz")
        register_domain(server.port, domain)
        setup = RawClient(server.port)
        values = pools(setup, domain)
        setup.close()
        methods = [(service, spec) for service, specs in setup.specs.items()
                   for spec in specs.values()]
        failures: list[str] = []
        counts: Counter[str] = Counter()
        answers: Counter[str] = Counter()  # declared exceptions by type, for triage
        log: list[tuple[float, float, str, str, int]] = []  # (sent, answered, ...)
        victim = Victim(server.port, domain)
        deadline = time.monotonic() + SECONDS

        def caller(index: int) -> None:
            rng = random.Random(base_seed + index)
            fuzzer = RequestFuzzer(rng, values)
            client = RawClient(server.port)
            next_call = time.monotonic()
            try:
                while time.monotonic() < deadline and len(failures) < 20:
                    next_call += 1 / RATE
                    gevent.sleep(max(0.0, next_call - time.monotonic()))
                    service, spec = rng.choice(methods)
                    kind, arg3 = fuzzer.request(spec)
                    sent = time.time()
                    outcome = client.call(service, spec.name, arg3, ttl_ms=TTL_MS)
                    log.append((sent, time.time(), spec.name, kind, len(arg3)))
                    counts[kind] += 1
                    counts[outcome.kind] += 1
                    if outcome.kind == "declared":
                        answers[type(outcome.value).__name__] += 1
                    wrong = verdict(spec.name, outcome)
                    if wrong is not None:
                        n = len(failures)
                        (tmp_path / f"{n}-{spec.name}.arg3").write_bytes(arg3)
                        failures.append(f"#{n} {service}::{spec.name} ({kind}, "
                                        f"{len(arg3)} bytes): {wrong}")
            finally:
                client.close()

        started = time.monotonic()
        try:
            gevent.joinall([gevent.spawn(caller, i) for i in range(CALLERS)],
                           raise_error=True)
        finally:
            report: dict[str, Any] = victim.stop()
        elapsed = time.monotonic() - started
        found = tracebacks(server)
    calls = sum(counts[k] for k in ("ok", "declared", "frame"))
    print(f"{calls} calls in {elapsed:.0f} s ({calls / elapsed:.0f}/s): {dict(counts)}; "
          f"victim: {victim_summary(report)}\ndeclared answers: {dict(answers.most_common())}")
    assert not failures, f"seed {base_seed}:\n" + "\n".join(failures)
    assert not found, f"seed {base_seed}: tracebacks in the server log:\n" + \
        "\n\n".join(found[:5])
    problems = victim_problems(report, DESCRIBE_LIMIT_MS[backend])
    assert not problems, f"seed {base_seed}: " + "\n".join(problems) + "\n" + "\n".join(
        overlapping(log, report["health"]["slow"] + report["describe"]["slow"]))


def overlapping(log: list[tuple[float, float, str, str, int]], slow: list[list[float]]
                ) -> list[str]:
    """The fuzz calls in flight during each slow victim call."""
    lines = []
    for start, ms in slow:
        end = start + ms / 1000
        lines.append(f"victim call at {start:.3f} took {ms} ms, beside:")
        lines += [f"  {name} ({kind}, {size} bytes) {sent - start:+.3f}s..{done - start:+.3f}s"
                  for sent, done, name, kind, size in log if sent < end and done > start]
    return lines
