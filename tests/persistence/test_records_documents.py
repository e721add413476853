"""Records <-> JSON documents: the per-type encoders write what the generic walk wrote."""

from __future__ import annotations

import base64
import dataclasses
import json
import math
from typing import Any

import pytest

from cadence_py.persistence import records as r
from cadence_py.persistence.visibility import VisibilityRecord


def generic_document(obj: Any) -> Any:
    """The reference: walk any value, as to_document did before it had per-type encoders."""
    if dataclasses.is_dataclass(obj):
        return {f.name: generic_document(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (bytes, bytearray)):
        return {"b64": base64.b64encode(bytes(obj)).decode()}
    if isinstance(obj, dict):
        return {str(k): generic_document(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [generic_document(v) for v in obj]
    return obj


def busy_state() -> r.MutableState:
    info = r.ExecutionInfo(domain_id="d", workflow_id="w", run_id="r", first_run_id="r",
                           task_list="tl", workflow_type="T", workflow_timeout=60,
                           decision_timeout=10, execution_context=b"\x00ctx\xff",
                           retry_non_retriable_errors=["bad"], memo={"m": b"\x01"},
                           search_attributes={"CustomKeywordField": b'"x"'})
    state = r.MutableState(info=info)
    state.activities[5] = r.ActivityInfo(schedule_id=5, activity_id="a", activity_type="A",
                                         task_list="tl", input=b"in", header={"h": b"v"},
                                         details=b"\x02", retry_backoff_coefficient=2.0,
                                         retry_non_retriable_errors=["e1", "e2"])
    state.timers["t1"] = r.TimerInfo(timer_id="t1", started_id=7, expiry_time=10**18,
                                     task_created=True)
    state.children[9] = r.ChildInfo(initiated_id=9, workflow_id="c", workflow_type="C",
                                    domain_name="d")
    state.request_cancels[11] = r.RequestCancelInfo(initiated_id=11, cancel_request_id="x")
    state.signals[12] = r.SignalInfo(initiated_id=12, signal_name="s", input=b"i",
                                     control=b"c")
    state.signals_requested.append("req-1")
    state.buffered_events.extend([b"\x0b\x00", b""])
    return state


def test_documents_match_the_generic_walk_and_round_trip() -> None:
    values = [busy_state(), r.TransferTask(type=1, domain_id="d", workflow_id="w",
                                           run_id="r", task_id=3, record_visibility=True),
              r.TimerTask(type=2, domain_id="d", workflow_id="w", run_id="r", fire_time=5)]
    for value in values:
        doc = r.to_document(value)
        assert json.dumps(doc) == json.dumps(generic_document(value))
        assert r.from_document(type(value), json.loads(json.dumps(doc))) == value


def test_values_outside_the_hints_still_encode() -> None:
    state = busy_state()
    state.info.memo = {"m": bytearray(b"\x03")}  # type: ignore[dict-item]
    assert r.to_document(state)["info"]["memo"] == {"m": {"b64": "Aw=="}}
    assert r.to_document({"k": [b"\x01"]}) == {"k": [{"b64": "AQ=="}]}


def test_clone_is_equal_and_shares_nothing_mutable() -> None:
    state = busy_state()
    twin = r.clone(state)
    assert twin == state and twin is not state
    twin.info.memo["new"] = b"x"
    twin.info.retry_non_retriable_errors.append("more")
    twin.activities[5].header["h2"] = b"y"
    twin.activities[6] = twin.activities.pop(5)
    twin.timers["t1"].task_created = False
    twin.buffered_events.append(b"z")
    assert state == busy_state()  # the original did not move


def test_dump_document_writes_what_the_walk_writes() -> None:
    """dump_document (orjson) and json.dumps(to_document(...)) give the same document,
    and load_document reads it back."""
    values = [busy_state(), r.TransferTask(type=1, domain_id="d", workflow_id="w",
                                           run_id="r", task_id=3, record_visibility=True),
              r.TimerTask(type=2, domain_id="d", workflow_id="w", run_id="r", fire_time=5),
              VisibilityRecord(domain_id="d", workflow_id="w", run_id="r",
                               workflow_type="T", start_time=1, execution_time=1,
                               memo={"m": b"\x00"})]
    for value in values:
        text = r.dump_document(value)
        assert isinstance(text, str)
        assert json.loads(text) == json.loads(json.dumps(r.to_document(value)))
        assert r.load_document(type(value), text) == value


def test_dump_document_falls_back_where_orjson_refuses() -> None:
    state = busy_state()
    state.info.memo = {"big": 2**70}  # type: ignore[dict-item] - past orjson's 64 bits
    assert json.loads(r.dump_document(state))["info"]["memo"] == {"big": 2**70}


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_floats_survive_a_write_and_a_read(value: float) -> None:
    """orjson would write them as null (then read back as None); they take json's path,
    as a document an older server wrote with json.dumps does on the way back in."""
    for where in ("info", "activity"):
        state = busy_state()
        if where == "info":
            state.info.retry_backoff_coefficient = value
        else:
            state.activities[5].retry_backoff_coefficient = value
        loaded = r.load_document(r.MutableState, r.dump_document(state))
        again = r.load_document(r.MutableState, r.dump_document(loaded))
        for got in (loaded, again):
            coefficient = (got.info.retry_backoff_coefficient if where == "info"
                           else got.activities[5].retry_backoff_coefficient)
            assert isinstance(coefficient, float)
            assert math.isnan(coefficient) if math.isnan(value) else coefficient == value
    assert r.dump_document(busy_state()) == r.dump_document(busy_state())  # orjson's path
