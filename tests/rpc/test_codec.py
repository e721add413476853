"""Bare Thrift struct encoding and the bounds check in front of thriftpy2's decoder.

thriftpy2's Cython reader never reports a short read, so ``decode`` walks every buffer
first; these tests pin down that nothing malformed gets through and nothing well-formed
is refused.
"""

from __future__ import annotations

import random
import struct
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadence_py.rpc import idl
from cadence_py.rpc.codec import ThriftDecodeError, check_struct, decode, encode, fill_required

WS = idl.workflow_service().WorkflowService
SHARED = idl.shared()
DETERMINISTIC = settings(derandomize=True, database=None, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow])


def history_response(events: int, seed: int = 0):
    rng = random.Random(seed)
    history = SHARED.History(events=[
        SHARED.HistoryEvent(
            eventId=i, timestamp=1_700_000_000_000_000_000 + i, eventType=i % 40,
            version=-1, taskId=rng.randrange(1 << 40),
            activityTaskScheduledEventAttributes=SHARED.ActivityTaskScheduledEventAttributes(
                activityId=str(i), activityType=SHARED.ActivityType(name="act"),
                taskList=SHARED.TaskList(name="tl", kind=0),
                input=rng.randbytes(rng.choice([0, 10, 5000])),
                header=SHARED.Header(fields={"k": b"v", "trace": rng.randbytes(20)}),
                scheduleToCloseTimeoutSeconds=10))
        for i in range(events)])
    return WS.GetWorkflowExecutionHistory_result(
        success=SHARED.GetWorkflowExecutionHistoryResponse(
            history=history, rawHistory=[SHARED.DataBlob(EncodingType=0, Data=b"x" * 3)],
            nextPageToken=b"token", archived=False))


SAMPLES = [
    WS.DescribeDomain_args(SHARED.DescribeDomainRequest(name="samples-domain")),
    WS.GetSearchAttributes_args(),
    WS.RegisterDomain_args(SHARED.RegisterDomainRequest(
        name="d", description="", workflowExecutionRetentionPeriodInDays=3, isGlobalDomain=True,
        clusters=[SHARED.ClusterReplicationConfiguration(clusterName="active")],
        data={"a": "b", "c": ""}, emitMetric=True)),
    WS.DescribeDomain_result(entityNotExistError=fill_required(
        SHARED.EntityNotExistsError(message="m"))),
    WS.GetSearchAttributes_result(success=SHARED.GetSearchAttributesResponse(
        keys={"CustomKeywordField": 1, "CustomIntField": 2})),
    history_response(200),
]


def test_reference_args_bytes():
    """§1.11's arg3 for DescribeDomain."""
    raw = encode(SAMPLES[0])
    assert raw == bytes.fromhex("0c00010b000a0000000e") + b"samples-domain" + b"\x00\x00"
    assert encode(WS.GetSearchAttributes_args()) == b"\x00"


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: type(o).__name__)
def test_valid_structs_pass_the_check_and_roundtrip(obj):
    raw = encode(obj)
    assert check_struct(raw) == len(raw)
    assert encode(decode(type(obj)(), raw)) == raw
    # trailing bytes after the STOP are ignored, as thriftpy2 does
    assert check_struct(raw + b"junk") == len(raw)
    assert encode(decode(type(obj)(), raw + b"junk")) == raw


@pytest.mark.parametrize("obj", SAMPLES[:5], ids=lambda o: type(o).__name__)
def test_every_proper_prefix_is_rejected(obj):
    raw = encode(obj)
    for n in range(len(raw)):
        with pytest.raises(ThriftDecodeError):
            decode(type(obj)(), raw[:n])


def test_prefixes_of_a_big_struct_are_rejected():
    raw = encode(SAMPLES[-1])
    rng = random.Random(1)
    for n in [0, 1, 2, 3, len(raw) - 1, len(raw) - 2] + rng.sample(range(len(raw)), 300):
        with pytest.raises(ThriftDecodeError):
            check_struct(raw[:n])


def test_big_history_is_checked_fast():
    raw = encode(history_response(5000, seed=2))
    start = time.perf_counter()
    assert check_struct(raw) == len(raw)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("raw", [
    b"\x0b\x00\x01\x7f\xff\xff\xf0" + b"x" * 10,            # 2 GiB string
    b"\x0b\x00\x01\x80\x00\x00\x00\x00",                     # negative string length
    b"\x0f\x00\x01\x0a\x7f\xff\xff\xff\x00",                 # list<i64>, 2**31-1 claimed
    b"\x0f\x00\x01\x0c\x7f\xff\xff\xff" + b"\x00" * 100,     # list<struct>, too many
    b"\x0f\x00\x01\x00\x7f\xff\xff\xff\x00",                 # list of STOP elements
    b"\x0f\x00\x01\x01\x00\x00\x00\x05\x00",                 # list of VOID elements
    b"\x0f\x00\x01\x0b\xff\xff\xff\xff\x00",                 # negative list size
    b"\x0d\x00\x01\x0b\x0b\x7f\xff\xff\xff\x00",             # map, too many
    b"\x0d\x00\x01\x0b\x63\x00\x00\x00\x01\x00",             # map with unknown value type
    b"\x0e\x00\x01\x03\x7f\xff\xff\xff" + b"\x00" * 50,      # set<byte>, too many
    b"\x01\x00\x01\x00",                                     # VOID field
    b"\x10\x00\x01\x00",                                     # UTF8 (not a wire type)
    b"\x0c\x00\x01" * 70 + b"\x00" * 71,                     # nesting 70 deep
    b"\x0f\x00\x01\x0f\x00\x00\x00\x01" * 70 + b"\x00",      # nested lists 70 deep
    b"\x08\x00\x01\x00\x00",                                 # truncated i32
    b"\x0a\x00\x01" + b"\x00" * 7,                           # truncated i64
    b"\x02\x00",                                             # truncated field id
    b"\x0c",
])
def test_malformed_input_is_refused_quickly(raw):
    start = time.perf_counter()
    with pytest.raises(ThriftDecodeError):
        decode(WS.DescribeDomain_args(), raw)
    assert time.perf_counter() - start < 0.1


def test_empty_containers_with_any_element_type_are_accepted():
    raw = b"\x0f\x00\x07\x00\x00\x00\x00\x00" + b"\x0d\x00\x08\x00\x00\x00\x00\x00\x00\x00"
    assert check_struct(raw) == len(raw)


def test_nesting_up_to_the_limit_is_accepted():
    raw = b"\x0c\x00\x01" * 60 + b"\x00" * 61
    assert check_struct(raw) == len(raw)


def test_fill_required_fills_nested_and_leaves_set_values():
    err = fill_required(SHARED.DomainNotActiveError(message="m", activeCluster="a"))
    assert (err.message, err.domainName, err.currentCluster, err.activeCluster,
            err.activeClusters) == ("m", "", "", "a", [])
    keep = fill_required(SHARED.EntityNotExistsError(message="x", activeClusters=["c1"]))
    assert keep.activeClusters == ["c1"]


@settings(DETERMINISTIC, max_examples=500)
@given(data=st.binary(max_size=300))
def test_random_bytes_decode_or_raise_decode_error(data):
    try:
        check_struct(data)
    except ThriftDecodeError:
        with pytest.raises(ThriftDecodeError):
            decode(WS.StartWorkflowExecution_args(), data)
        return
    # well-formed as far as the wire goes: thriftpy2 must agree, with no other error
    n = check_struct(data)
    a = decode(WS.StartWorkflowExecution_args(), data)
    b = decode(WS.StartWorkflowExecution_args(), data[:n])
    assert repr(a) == repr(b)  # nothing past the struct's end was read


@settings(DETERMINISTIC, max_examples=200)
@given(seed=st.integers(0, 2**32), flips=st.lists(st.integers(0, 10**9), min_size=1,
                                                   max_size=4))
def test_mutated_valid_structs(seed, flips):
    rng = random.Random(seed)
    obj = rng.choice(SAMPLES[:5])
    raw = bytearray(encode(obj))
    for f in flips:
        raw[f % len(raw)] = rng.randrange(256)
    try:
        n = check_struct(bytes(raw))
    except ThriftDecodeError:
        return
    assert repr(decode(type(obj)(), bytes(raw))) == repr(decode(type(obj)(), bytes(raw[:n])))


def test_decode_does_not_leak_memory_contents_into_strings():
    """Before the check, a short string read returned bytes from outside the buffer."""
    raw = b"\x0c\x00\x01\x0b\x00\x0a" + struct.pack(">i", 5) + b"ab"
    with pytest.raises(ThriftDecodeError):
        decode(WS.DescribeDomain_args(), raw)
