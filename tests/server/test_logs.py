"""Structured log lines carry the request-scoped fields of the call being served."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from cadence_py.rpc.context import RequestContext, current_request, fill_from_request
from cadence_py.rpc import idl
from cadence_py.server.logs import setup_logging


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def serving(**fields: str) -> RequestContext:
    return RequestContext(service="WorkflowService", method="SignalWorkflowExecution",
                          request_id="0123456789abcdef", **fields)


def emit(fmt: str, ctx: RequestContext | None, message: str) -> str:
    out = io.StringIO()
    setup_logging("info", fmt, stream=out)
    token = current_request.set(ctx)
    try:
        logging.getLogger("cadence_py.test").info(message)
        logging.getLogger("cadence_py.test").debug("not at info level")
    finally:
        current_request.reset(token)
    return out.getvalue()


@pytest.mark.usefixtures("restore_root_logger")
def test_json_line_with_request_fields() -> None:
    ctx = serving(domain="orders", workflow_id="wf-1", run_id="r-1")
    line = json.loads(emit("json", ctx, 'said "hi"\nbye'))
    assert list(line) == ["ts", "level", "logger", "msg", "request_id", "operation",
                          "domain", "workflow_id", "run_id"]
    assert line["ts"].endswith("Z") and line["level"] == "info"
    assert (line["logger"], line["msg"]) == ("cadence_py.test", 'said "hi"\nbye')
    assert (line["request_id"], line["operation"], line["domain"], line["workflow_id"],
            line["run_id"]) == ("0123456789abcdef", "SignalWorkflowExecution", "orders",
                                "wf-1", "r-1")


@pytest.mark.usefixtures("restore_root_logger")
def test_json_line_outside_a_call_has_only_the_basics() -> None:
    lines = emit("json", None, "started").splitlines()
    assert len(lines) == 1
    assert list(json.loads(lines[0])) == ["ts", "level", "logger", "msg"]


@pytest.mark.usefixtures("restore_root_logger")
def test_logfmt_quotes_only_what_needs_it() -> None:
    line = emit("text", serving(domain="orders"), "registered domain x=1")
    assert line.startswith("ts=")
    assert ' level=info logger=cadence_py.test msg="registered domain x=1" ' \
        'request_id=0123456789abcdef operation=SignalWorkflowExecution domain=orders\n' in line


def test_fields_come_from_the_request_struct() -> None:
    shared = idl.shared()
    ctx = RequestContext(service="WorkflowService", method="SignalWorkflowExecution")
    fill_from_request(ctx, shared.SignalWorkflowExecutionRequest(
        domain="orders", workflowExecution=shared.WorkflowExecution(workflowId="w", runId="r")))
    assert (ctx.domain, ctx.workflow_id, ctx.run_id) == ("orders", "w", "r")
    start = RequestContext(service="WorkflowService", method="StartWorkflowExecution")
    fill_from_request(start, shared.StartWorkflowExecutionRequest(domain="d", workflowId="w2"))
    assert (start.domain, start.workflow_id, start.run_id) == ("d", "w2", "")
    register = RequestContext(service="WorkflowService", method="RegisterDomain")
    fill_from_request(register, shared.RegisterDomainRequest(name="orders"))
    assert register.domain == ""  # domain APIs are tagged with the unknown domain
