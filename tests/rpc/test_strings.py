"""The check after decoding: a Thrift ``string`` that is not valid UTF-8 (thriftpy2 leaves
it as bytes) is refused with the field's path, and the check stays cheap beside decoding.
Also the value budget ``decode`` enforces for requests."""

from __future__ import annotations


import pytest

from cadence_py.rpc import idl
from cadence_py.rpc.codec import MAX_REQUEST_VALUES, ThriftDecodeError, decode, encode
from cadence_py.rpc.dispatch import method_specs
from cadence_py.rpc.strings import InvalidRequest, check_strings

S = idl.shared()
SPECS = method_specs(idl.workflow_service().WorkflowService)
BAD = b"\xff\xfeoops"


def decoded(method: str, **fields: object) -> object:
    cls = SPECS[method].args_cls
    return decode(cls(), encode(cls(**fields)))


def refused(args: object) -> str:
    with pytest.raises(InvalidRequest) as info:
        check_strings(args)
    return str(info.value)


def test_top_level_and_nested_fields_are_named() -> None:
    args = decoded("StartWorkflowExecution", startRequest=S.StartWorkflowExecutionRequest(
        domain="d", workflowType=S.WorkflowType(name=BAD)))
    assert refused(args) == "startRequest.workflowType.name is not valid UTF-8."


def test_list_elements_and_map_keys_and_values_are_named() -> None:
    decision = S.Decision(scheduleActivityTaskDecisionAttributes=(
        S.ScheduleActivityTaskDecisionAttributes(taskList=S.TaskList(name=BAD))))
    args = decoded("RespondDecisionTaskCompleted",
                   completeRequest=S.RespondDecisionTaskCompletedRequest(
                       decisions=[S.Decision(), decision]))
    assert refused(args) == ("completeRequest.decisions[1].scheduleActivityTaskDecision"
                             "Attributes.taskList.name is not valid UTF-8.")
    keyed = decoded("UpdateDomain", updateRequest=S.UpdateDomainRequest(
        name="d", updatedInfo=S.UpdateDomainInfo(data={BAD: "v"})))
    assert refused(keyed) == "updateRequest.updatedInfo.data[key] is not valid UTF-8."
    valued = decoded("UpdateDomain", updateRequest=S.UpdateDomainRequest(
        name="d", updatedInfo=S.UpdateDomainInfo(data={"k": BAD})))
    assert refused(valued) == "updateRequest.updatedInfo.data['k'] is not valid UTF-8."


def test_binary_fields_and_good_text_pass() -> None:
    args = decoded("StartWorkflowExecution", startRequest=S.StartWorkflowExecutionRequest(
        domain="d\u00e9\u4e2d", workflowId="\U0001f600", input=BAD,
        memo=S.Memo(fields={"m": BAD}), header=S.Header(fields={"h": BAD})))
    check_strings(args)  # binary may hold anything; text that is UTF-8 is fine


def big_decision_request() -> bytes:
    decisions = [S.Decision(decisionType=0, scheduleActivityTaskDecisionAttributes=(
        S.ScheduleActivityTaskDecisionAttributes(
            activityId=str(i), activityType=S.ActivityType(name="act"), domain="d",
            taskList=S.TaskList(name="tl"), input=b"x" * 100,
            header=S.Header(fields={"k": b"v"}), scheduleToCloseTimeoutSeconds=10)))
        for i in range(1000)]
    cls = SPECS["RespondDecisionTaskCompleted"].args_cls
    return encode(cls(completeRequest=S.RespondDecisionTaskCompletedRequest(
        taskToken=b"t", decisions=decisions, identity="me")))


def test_value_budget_refuses_a_flood_of_tiny_values() -> None:
    """1 MB of empty decisions decoded for 2 s with the hub blocked; now refused while
    the bytes are walked, before thriftpy2 builds a single object (how fast, and what
    the UTF-8 check costs beside decoding: python -m bench.request_walks)."""
    cls = SPECS["RespondDecisionTaskCompleted"].args_cls
    flood = encode(cls(completeRequest=S.RespondDecisionTaskCompletedRequest(
        decisions=[S.Decision()] * 300_000)))
    with pytest.raises(ThriftDecodeError, match="more values"):
        decode(cls(), flood, MAX_REQUEST_VALUES)
    decode(cls(), big_decision_request(), MAX_REQUEST_VALUES)  # a big honest one passes
    decode(cls(), flood)  # no budget: a client reading its own server's answers
