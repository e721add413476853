"""Bounds on what a request may carry, and page tokens the server checks, against an
in-process server over a real TChannel connection (tests/faults/test_hostile_input.py
runs the same faults against server subprocesses on SQLite and Cassandra)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from cadence_py.persistence import page_tokens
from cadence_py.rpc import ThriftClient, idl
from cadence_py.server.app import CadenceServer
from cadence_py.server.config import ServerConfig
from cadence_py.transport import TChannelClient
from cadence_py.transport.errors import ErrorCode, TChannelError
from tests.frontend.conftest import CLI_HEADERS

S = idl.shared()


def register(frontend: ThriftClient, name: str, **fields: object) -> None:
    frontend.call("RegisterDomain", S.RegisterDomainRequest(
        name=name, workflowExecutionRetentionPeriodInDays=1, **fields))


@pytest.mark.parametrize("fields, message", [
    ({"description": "d" * 4097}, "Domain description length exceeds limit."),
    ({"ownerEmail": "o" * 1001}, "Owner email length exceeds limit."),
    ({"data": {"k": "v" * 70_000}}, "Domain data size exceeds limit."),
    ({"historyArchivalURI": "file:///" + "u" * 1000}, "Archival URI length exceeds limit."),
])
def test_domain_fields_are_bounded(frontend, fields, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(S.BadRequestError) as info:
        register(frontend, "limited", **fields)
    assert info.value.message == message
    register(frontend, "limited", description="d" * 4096, ownerEmail="o" * 1000)
    info_field = {"description": "updatedInfo", "ownerEmail": "updatedInfo",
                  "data": "updatedInfo"}.get(next(iter(fields)))
    if info_field is None:
        return
    with pytest.raises(S.BadRequestError) as info:
        frontend.call("UpdateDomain", S.UpdateDomainRequest(
            name="limited", updatedInfo=S.UpdateDomainInfo(**fields)))
    assert info.value.message == message


def test_update_counts_merged_data(frontend) -> None:  # type: ignore[no-untyped-def]
    register(frontend, "merged", data={"a": "x" * 40_000})
    with pytest.raises(S.BadRequestError, match="Domain data size exceeds limit."):
        frontend.call("UpdateDomain", S.UpdateDomainRequest(
            name="merged", updatedInfo=S.UpdateDomainInfo(data={"b": "y" * 40_000})))


def test_bad_binary_strings_are_bounded(frontend) -> None:  # type: ignore[no-untyped-def]
    register(frontend, "binaries")
    with pytest.raises(S.BadRequestError, match="Bad binary length exceeds limit."):
        frontend.call("UpdateDomain", S.UpdateDomainRequest(
            name="binaries", configuration=S.DomainConfiguration(badBinaries=S.BadBinaries(
                binaries={"c": S.BadBinaryInfo(reason="r" * 1001)}))))


def test_oversize_call_is_refused_and_the_connection_lives_on(frontend, channel) -> None:  # type: ignore[no-untyped-def]
    register(frontend, "big")
    with pytest.raises(TChannelError) as info:
        frontend.call("UpdateDomain", S.UpdateDomainRequest(
            name="big", updatedInfo=S.UpdateDomainInfo(description="d" * (5 << 20))),
            ttl_ms=20_000)
    assert info.value.code == ErrorCode.BAD_REQUEST
    assert "larger than 4194304" in info.value.message
    assert frontend.call("DescribeDomain", S.DescribeDomainRequest(
        name="big")).domainInfo.description == ""


def test_non_utf8_string_is_a_bad_request_naming_the_field(frontend) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(S.BadRequestError) as info:
        frontend.call("DescribeDomain", S.DescribeDomainRequest(name=b"\xc3\x28"))
    assert info.value.message == "describeRequest.name is not valid UTF-8."


def test_list_domains_tokens_survive_a_new_server_process(tmp_path: Path) -> None:
    """A token is a position, not state of the process that issued it: a server started
    anew on the same store continues the listing (as another frontend of a cluster
    would), and a token with one byte changed is refused."""
    def serve() -> tuple[CadenceServer, TChannelClient, ThriftClient]:
        app = CadenceServer(ServerConfig(port=0, data_dir=tmp_path))
        app.start()
        channel = TChannelClient("127.0.0.1", app.address[1], caller="limits-test")
        return app, channel, ThriftClient(
            channel, idl.workflow_service().WorkflowService, "WorkflowService",
            headers=CLI_HEADERS)

    app, channel, frontend = serve()
    for name in ("a-one", "b-two", "c-three"):
        register(frontend, name)
    first = frontend.call("ListDomains", S.ListDomainsRequest(pageSize=2))
    token = first.nextPageToken
    channel.close()
    app.stop(grace=1)
    app, channel, frontend = serve()
    try:
        rest = []
        while token:
            page = frontend.call("ListDomains", S.ListDomainsRequest(
                pageSize=2, nextPageToken=token))
            rest += [d.domainInfo.name for d in page.domains]
            token = page.nextPageToken
        names = [d.domainInfo.name for d in first.domains] + rest
        assert {"a-one", "b-two", "c-three"} <= set(names)
        assert len(names) == len(set(names))
        mangled = bytearray(first.nextPageToken)
        mangled[len(mangled) // 2] ^= 0x04
        for bad in (bytes(mangled), base64.b64encode(b"a-one")):
            with pytest.raises(S.BadRequestError, match="Invalid NextPageToken."):
                frontend.call("ListDomains", S.ListDomainsRequest(pageSize=2,
                                                                  nextPageToken=bad))
        huge = frontend.call("ListDomains", S.ListDomainsRequest(pageSize=2**31 - 1))
        assert len(huge.domains) == len(names)  # clamped to 1000 a page, not refused
    finally:
        channel.close()
        app.stop(grace=1)


@pytest.mark.parametrize("token", [
    b"", b"\xff", b"not base64!", base64.b64encode(b"\x00\x00\x00\x00[]"),
    page_tokens.seal("other", "x"), page_tokens.seal("dn1", 5), page_tokens.seal("dn1"),
    page_tokens.seal("dn1", "a", "b"), b"A" * 10_000,
])
def test_open_token_refuses_what_seal_did_not_write_for_that_list(token: bytes) -> None:
    with pytest.raises(page_tokens.InvalidPageToken):
        page_tokens.open_token("dn1", token, str)


def test_seal_and_open_round_trip() -> None:
    token = page_tokens.seal("cv2", 1_700_000_000_000, "run")
    assert page_tokens.open_token("cv2", token, int, str) == [1_700_000_000_000, "run"]
    with pytest.raises(page_tokens.InvalidPageToken):  # a bool is not an int here
        page_tokens.open_token("cv2", page_tokens.seal("cv2", True, "run"), int, str)
    with pytest.raises(page_tokens.InvalidPageToken):  # nor is a number past int64
        page_tokens.open_token("cv2", page_tokens.seal("cv2", 2**63, "run"), int, str)


def test_a_domain_stored_before_the_bounds_can_still_be_updated(app, frontend) -> None:  # type: ignore[no-untyped-def]
    """Only what an update changes is bounded: a domain whose description was stored
    before these limits (or by another server) still takes a retention change, and a
    failover-only update; a new oversize description is refused."""
    register(frontend, "old-big")
    record = app.domains.get_domain(name="old-big")
    record.info.description = "d" * 5000  # as an older server stored it
    app.domains.update_domain(record, app.domains.get_metadata())
    app.domain_cache.forget("old-big")
    frontend.call("UpdateDomain", S.UpdateDomainRequest(
        name="old-big", configuration=S.DomainConfiguration(
            workflowExecutionRetentionPeriodInDays=3)))
    described = frontend.call("DescribeDomain", S.DescribeDomainRequest(name="old-big"))
    assert described.configuration.workflowExecutionRetentionPeriodInDays == 3
    assert len(described.domainInfo.description) == 5000
    with pytest.raises(S.BadRequestError, match="Domain description length exceeds limit."):
        frontend.call("UpdateDomain", S.UpdateDomainRequest(
            name="old-big", updatedInfo=S.UpdateDomainInfo(description="e" * 5000)))
