"""Real request bytes sent by the Cadence CLI v1.4.1 decode with our IDL.

The files in tests/fixtures/wire/cli-1.4.1 were captured from the real CLI talking to
cadence-py (CADENCE_PY_CAPTURE_DIR), one per method the CLI can reach today. Decoding
them and re-encoding them byte-for-byte proves our field ids and types agree with the
client's generated code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cadence_py.rpc import idl
from cadence_py.rpc.codec import decode, encode
from cadence_py.transport.codec import decode_headers16

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wire" / "cli-1.4.1"


def load(service: str, method: str):  # type: ignore[no-untyped-def]
    module = idl.admin().AdminService if service == "AdminService" \
        else idl.workflow_service().WorkflowService
    raw = (FIXTURES / f"{service}.{method}.arg3").read_bytes()
    return decode(getattr(module, f"{method}_args")(), raw), raw


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.arg3")), ids=lambda p: p.stem)
def test_round_trip_is_byte_identical(path: Path) -> None:
    service, method = path.stem.split(".")
    args, raw = load(service, method)
    assert encode(args) == raw


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.arg2")), ids=lambda p: p.stem)
def test_cli_headers(path: Path) -> None:
    headers = decode_headers16(path.read_bytes())
    assert headers["cadence-client-name"] == "cli"
    assert headers["cadence-client-feature-version"] == "1.7.0"


def test_register_domain_fields() -> None:
    args, _ = load("WorkflowService", "RegisterDomain")
    request = args.registerRequest
    assert request.name == "cap-domain"
    assert request.description == "hello"
    assert request.ownerEmail == "o@x.io"
    assert request.workflowExecutionRetentionPeriodInDays == 4
    assert request.isGlobalDomain is True
    assert request.data == {"a": "b"}


def test_update_domain_fields() -> None:
    args, _ = load("WorkflowService", "UpdateDomain")
    request = args.updateRequest
    assert request.name == "cap-domain"
    assert request.configuration.workflowExecutionRetentionPeriodInDays == 6
    assert request.configuration.badBinaries.binaries["cs1"].reason == "r"


def test_describe_and_list_fields() -> None:
    assert load("WorkflowService", "DescribeDomain")[0].describeRequest.name == "cap-domain"
    assert load("WorkflowService", "ListDomains")[0].listRequest.pageSize == 200


def test_domain_deprecation_starts_a_workflow() -> None:
    # CLI 1.4.1 deprecates a domain by starting a system workflow, not DeprecateDomain.
    request = load("WorkflowService", "StartWorkflowExecution")[0].startRequest
    assert request.domain == "cadence-system"
    assert request.workflowType.name == "domain-deprecation-workflow"
