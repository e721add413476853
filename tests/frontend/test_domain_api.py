"""Domain APIs over the real TChannel/Thrift path, against SQLite."""

from __future__ import annotations

import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.transport import TChannelClient
from cadence_py.transport.errors import TChannelError


def register(frontend: ThriftClient, shared, name: str, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("workflowExecutionRetentionPeriodInDays", 3)
    fields.setdefault("isGlobalDomain", True)
    frontend.call("RegisterDomain", shared.RegisterDomainRequest(name=name, **fields))


def test_register_then_describe_by_name_and_uuid(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    register(frontend, shared, "orders", description="d", ownerEmail="o@example.com",
             data={"k": "v"})
    by_name = frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="orders"))
    info = by_name.domainInfo
    assert (info.name, info.status, info.description, info.ownerEmail, info.data) == \
        ("orders", shared.DomainStatus.REGISTERED, "d", "o@example.com", {"k": "v"})
    assert by_name.configuration.workflowExecutionRetentionPeriodInDays == 3
    assert by_name.isGlobalDomain is True
    assert by_name.replicationConfiguration.activeClusterName == "cluster0"
    assert [c.clusterName for c in by_name.replicationConfiguration.clusters] == ["cluster0"]
    by_uuid = frontend.call("DescribeDomain", shared.DescribeDomainRequest(uuid=info.uuid))
    assert by_uuid.domainInfo.name == "orders"


def test_duplicate_register(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    register(frontend, shared, "dup")
    with pytest.raises(shared.DomainAlreadyExistsError):
        register(frontend, shared, "dup")


@pytest.mark.parametrize("name, fields, message", [
    ("", {}, "Domain not set on request."),
    ("has space", {}, "Domain name can only include alphanumeric and dash characters."),
    ("x" * 1001, {}, "Domain length exceeds limit."),
    ("too-long", {"workflowExecutionRetentionPeriodInDays": 31}, "RetentionDays is invalid."),
    ("zero", {"workflowExecutionRetentionPeriodInDays": 0},
     "A valid retention period is not set on request."),
    ("other-cluster", {"activeClusterName": "cluster9"}, "Invalid cluster name: cluster9"),
    ("archival", {"historyArchivalStatus": 1}, "Invalid to enable archival without specifying a uri."),
])
def test_register_validation(frontend, shared, name, fields, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(shared.BadRequestError) as err:
        register(frontend, shared, name, **fields)
    assert err.value.message == message


def test_describe_missing(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(shared.EntityNotExistsError) as err:
        frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="ghost"))
    assert "ghost" in err.value.message
    assert err.value.activeClusters == []
    with pytest.raises(shared.BadRequestError):
        frontend.call("DescribeDomain", shared.DescribeDomainRequest())


def test_update_fields(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    register(frontend, shared, "upd", data={"a": "1"})
    response = frontend.call("UpdateDomain", shared.UpdateDomainRequest(
        name="upd",
        updatedInfo=shared.UpdateDomainInfo(description="new", ownerEmail="n@x.io",
                                            data={"b": "2"}),
        configuration=shared.DomainConfiguration(
            workflowExecutionRetentionPeriodInDays=9, emitMetric=False,
            badBinaries=shared.BadBinaries(binaries={
                "sum1": shared.BadBinaryInfo(reason="crash", operator="me")}),
            historyArchivalStatus=1, historyArchivalURI="file:///tmp/h")))
    assert response.domainInfo.description == "new"
    assert response.domainInfo.data == {"a": "1", "b": "2"}
    desc = frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="upd"))
    config = desc.configuration
    assert config.workflowExecutionRetentionPeriodInDays == 9
    assert config.emitMetric is False
    assert config.historyArchivalStatus == 1 and config.historyArchivalURI == "file:///tmp/h"
    binary = config.badBinaries.binaries["sum1"]
    assert (binary.reason, binary.operator) == ("crash", "me")
    assert binary.createdTimeNano > 0

    frontend.call("UpdateDomain", shared.UpdateDomainRequest(name="upd", deleteBadBinary="sum1"))
    desc = frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="upd"))
    assert desc.configuration.badBinaries.binaries == {}
    with pytest.raises(shared.BadRequestError):
        frontend.call("UpdateDomain", shared.UpdateDomainRequest(name="upd", deleteBadBinary="x"))
    with pytest.raises(shared.BadRequestError):
        frontend.call("UpdateDomain", shared.UpdateDomainRequest(
            name="upd", configuration=shared.DomainConfiguration(
                workflowExecutionRetentionPeriodInDays=100)))
    with pytest.raises(shared.EntityNotExistsError):
        frontend.call("UpdateDomain", shared.UpdateDomainRequest(name="nope"))


def test_system_domain_is_seeded(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    desc = frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="cadence-system"))
    assert desc.domainInfo.uuid == "32049b68-7872-4094-8e63-d0dd59896a83"
    assert desc.isGlobalDomain is False
    assert desc.replicationConfiguration.activeClusterName == "cluster0"


def test_deprecate(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    register(frontend, shared, "old")
    frontend.call("DeprecateDomain", shared.DeprecateDomainRequest(name="old"))
    desc = frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="old"))
    assert desc.domainInfo.status == shared.DomainStatus.DEPRECATED
    with pytest.raises(shared.EntityNotExistsError):
        frontend.call("DeprecateDomain", shared.DeprecateDomainRequest(name="nope"))


def test_list_domains_pages(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    names = [f"d{i:02d}" for i in range(23)]
    for name in names:
        register(frontend, shared, name)
    seen, token = [], None
    while True:
        page = frontend.call("ListDomains", shared.ListDomainsRequest(pageSize=10,
                                                                      nextPageToken=token))
        assert len(page.domains) <= 10
        seen += [d.domainInfo.name for d in page.domains]
        assert all(d.domainInfo.status is not None for d in page.domains)
        token = page.nextPageToken
        if not token:
            break
    # The system domains come first: seeded by the schema, and made by the worker role.
    assert seen == ["cadence-batcher", "cadence-system", *names]
    with pytest.raises(shared.BadRequestError):
        frontend.call("ListDomains", shared.ListDomainsRequest(pageSize=5,
                                                               nextPageToken=b"\xff\xfe"))


def test_cluster_info_and_search_attributes(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    info = frontend.call("GetClusterInfo")
    assert info.supportedClientVersions.goSdk == "1.7.0"
    assert info.supportedClientVersions.javaSdk == "1.5.0"
    keys = frontend.call("GetSearchAttributes").keys
    assert keys["WorkflowType"] == shared.IndexedValueType.KEYWORD
    assert keys["CustomIntField"] == shared.IndexedValueType.INT
    assert keys["CustomStringField"] == shared.IndexedValueType.STRING


def test_unimplemented_method_is_a_bad_request(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(shared.BadRequestError) as err:
        frontend.call("StartWorkflowExecutionAsync", shared.StartWorkflowExecutionAsyncRequest())
    assert "StartWorkflowExecutionAsync" in err.value.message


def test_delete_domain_needs_a_deprecated_domain(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    delete = shared.DeleteDomainRequest
    for request, message in ((delete(), "Domain not set on request."),):
        with pytest.raises(shared.BadRequestError, match=message):
            frontend.call("DeleteDomain", request)
    with pytest.raises(TChannelError, match="EntityNotExistsError: Domain nope does not exist"):
        frontend.call("DeleteDomain", delete(name="nope"))  # undeclared there, as upstream
    for method, request in (("DeleteDomain", delete(name="cadence-system")),
                            ("DeprecateDomain", shared.DeprecateDomainRequest(
                                name="cadence-system"))):
        with pytest.raises(shared.BadRequestError, match="is the system domain"):
            frontend.call(method, request)
    register(frontend, shared, "going", isGlobalDomain=False)
    with pytest.raises(shared.BadRequestError, match="Domain is not in a deprecated state."):
        frontend.call("DeleteDomain", delete(name="going"))
    frontend.call("DeprecateDomain", shared.DeprecateDomainRequest(name="going"))
    frontend.call("DeleteDomain", delete(name="going", securityToken="unused"))
    with pytest.raises(shared.EntityNotExistsError):
        frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="going"))
    register(frontend, shared, "going")  # the name is free again
    assert frontend.call("DescribeDomain", shared.DescribeDomainRequest(
        name="going")).domainInfo.status == shared.DomainStatus.REGISTERED


def test_failover_on_one_cluster(frontend, shared) -> None:  # type: ignore[no-untyped-def]
    failover = shared.FailoverDomainRequest
    register(frontend, shared, "local", isGlobalDomain=False)
    register(frontend, shared, "global", isGlobalDomain=True)
    for request, message in (
            (failover(), "Domain not set on request."),
            (failover(domainName="local"), "DomainActiveClusterName or ActiveClusters must "
                                           "be provided to failover the domain"),
            (failover(domainName="local", domainActiveClusterName="cluster0",
                      failoverTimeoutInSeconds=0), "FailoverTimeoutInSeconds must be positive"),
            (failover(domainName="local", domainActiveClusterName="cluster1"),
             "Local domains cannot perform failovers or change replication configuration"),
            (failover(domainName="global", domainActiveClusterName="cluster1"),
             "Invalid cluster name: cluster1")):
        with pytest.raises(shared.BadRequestError, match=message):
            frontend.call("FailoverDomain", request)
    with pytest.raises(shared.EntityNotExistsError):
        frontend.call("FailoverDomain", failover(domainName="nope",
                                                 domainActiveClusterName="cluster0"))
    same = frontend.call("FailoverDomain", failover(domainName="global",
                                                    domainActiveClusterName="cluster0"))
    assert same.isGlobalDomain and same.replicationConfiguration.activeClusterName == "cluster0"

    history = shared.ListFailoverHistoryRequest
    with pytest.raises(shared.BadRequestError, match="DomainID is required in filters"):
        frontend.call("ListFailoverHistory", history())
    uuid = frontend.call("DescribeDomain", shared.DescribeDomainRequest(
        name="global")).domainInfo.uuid
    events = frontend.call("ListFailoverHistory", history(
        filters=shared.ListFailoverHistoryRequestFilters(domainID=uuid)))
    assert events.failoverEvents == [] and not events.nextPageToken


def test_health_and_admin(channel: TChannelClient) -> None:
    health = ThriftClient(channel, idl.health().Meta, "Meta").call("health")
    assert health.ok is True
    admin = ThriftClient(channel, idl.admin().AdminService, "AdminService")
    described = admin.call("DescribeCluster")
    assert described.supportedClientVersions.goSdk == "1.7.0"


def test_client_version_check(app, frontend, shared) -> None:  # type: ignore[no-untyped-def]
    handler = app.dispatcher._services["WorkflowService"][1]
    handler.config.enable_client_version_check = True
    with pytest.raises(shared.ClientVersionNotSupportedError) as err:
        frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="x"),
                      headers={"cadence-client-name": "uber-go",
                               "cadence-client-feature-version": "9.0.0"})
    assert err.value.supportedVersions == "<=1.7.0"
    with pytest.raises(shared.EntityNotExistsError):  # a supported client passes the check
        frontend.call("DescribeDomain", shared.DescribeDomainRequest(name="x"))
