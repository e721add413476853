"""What each walk over an incoming request costs: the bounds check, thriftpy2's decoding,
and the UTF-8 check (rpc/strings.py), on a RespondDecisionTaskCompleted with 1,000
scheduled activities, and how fast a flood of 300,000 empty decisions is refused.

    python -m bench.request_walks

Prints best-of-N wall times in milliseconds; the UTF-8 check is also given as a share of
decoding (it was about 12% when written). Moved here from unit tests: speed is measured
by benchmarks that print figures, never asserted in tests.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from cadence_py.rpc import idl
from cadence_py.rpc.codec import MAX_REQUEST_VALUES, ThriftDecodeError, check_struct, decode
from cadence_py.rpc.codec import encode
from cadence_py.rpc.dispatch import method_specs
from cadence_py.rpc.strings import check_strings


def best_ms(fn: Callable[[], Any], n: int = 7) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    shared = idl.shared()
    cls = method_specs(idl.workflow_service().WorkflowService)[
        "RespondDecisionTaskCompleted"].args_cls
    decisions = [shared.Decision(
        decisionType=shared.DecisionType.ScheduleActivityTask,
        scheduleActivityTaskDecisionAttributes=shared.ScheduleActivityTaskDecisionAttributes(
            activityId=f"a{i}", activityType=shared.ActivityType(name="work"),
            taskList=shared.TaskList(name="tl"), input=b"x" * 64))
        for i in range(1000)]
    data = encode(cls(completeRequest=shared.RespondDecisionTaskCompletedRequest(
        taskToken=b"t", decisions=decisions, identity="me")))
    args = decode(cls(), data, MAX_REQUEST_VALUES)
    bounds = best_ms(lambda: check_struct(data))
    decoding = best_ms(lambda: decode(cls(), data, MAX_REQUEST_VALUES))
    walking = best_ms(lambda: check_strings(args))
    print(f"request of {len(data)} bytes, 1000 decisions:")
    print(f"  decode (bounds check included) {decoding:8.2f} ms")
    print(f"  bounds check alone             {bounds:8.2f} ms")
    print(f"  UTF-8 check                    {walking:8.2f} ms "
          f"({100 * walking / decoding:.0f}% of decoding)")
    flood = encode(cls(completeRequest=shared.RespondDecisionTaskCompletedRequest(
        decisions=[shared.Decision()] * 300_000)))

    def refuse() -> None:
        try:
            decode(cls(), flood, MAX_REQUEST_VALUES)
        except ThriftDecodeError:
            return
        raise AssertionError("the flood was not refused")

    print(f"  flood of {len(flood)} bytes refused in {best_ms(refuse, 3):8.2f} ms")


if __name__ == "__main__":
    main()
