"""An in-process cadence-py (SQLite) and a Thrift client talking to it over TChannel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cadence_py.rpc import ThriftClient, idl
from cadence_py.server.app import CadenceServer
from cadence_py.server.config import ServerConfig
from cadence_py.transport import TChannelClient

CLI_HEADERS = {"cadence-client-name": "cli", "cadence-client-feature-version": "1.7.0"}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[CadenceServer]:
    server = CadenceServer(ServerConfig(port=0, data_dir=tmp_path))
    server.start()
    yield server
    server.stop(grace=1)


@pytest.fixture
def channel(app: CadenceServer) -> Iterator[TChannelClient]:
    client = TChannelClient("127.0.0.1", app.address[1], caller="cadence-client")
    yield client
    client.close()


@pytest.fixture
def frontend(channel: TChannelClient) -> ThriftClient:
    return ThriftClient(channel, idl.workflow_service().WorkflowService, "WorkflowService",
                        headers=CLI_HEADERS)


@pytest.fixture
def shared():  # type: ignore[no-untyped-def]
    return idl.shared()
