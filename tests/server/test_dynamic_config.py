"""Cadence's file-based dynamic config (server/dynamic_config.py): how values resolve, how
the static config names the file, and a running server that follows the file."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from cadence_py.frontend.config import FrontendConfig
from cadence_py.history.config import HistoryConfig
from cadence_py.rpc import ThriftClient, idl
from cadence_py.server.app import CadenceServer
from cadence_py.server.config import ConfigError, load_config
from cadence_py.server.dynamic_config import DynamicConfig, DynamicConfigError, read
from cadence_py.transport import TChannelClient
from tests.conftest import REPO


def write(tmp_path: Path, text: str, name: str = "dynamic.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_values_resolve_as_upstream_resolves_them(tmp_path: Path) -> None:
    path = write(tmp_path, """
limit.blobSize.error:
  - value: 100
  - value: 200
    constraints: {}
history.longPollExpirationInterval:
  - value: 1m30s
    constraints: {clusterName: other}
  - value: 5s
    constraints: {clusterName: cluster0}
  - value: 7s
frontend.maxBadBinaries:
  - value: 3
    constraints: {domainName: samples-domain}
some.upstreamOnlyKey:
  - value: whatever
""")
    values, warnings = read(path, "cluster0")
    assert values == {"limit.blobSize.error": 200,  # the last unconstrained entry
                      "history.longPollExpirationInterval": 5.0}  # this cluster's, first
    assert warnings == ["frontend.maxBadBinaries: values for domainName are not supported "
                        "by cadence-py yet; that entry is skipped"]


@pytest.mark.parametrize("text, message", [
    ("limit.blobSize.error:\n  - value: 1.5\n", "limit.blobSize.error: expected an integer"),
    ("limit.blobSize.error:\n  - value: 0\n", "limit.blobSize.error: must be positive"),
    ("matching.longPollExpirationInterval:\n  - value: 0s\n", "must be a positive duration"),
    ("history.longPollExpirationInterval:\n  - value: 20\n",
     "history.longPollExpirationInterval: expected a duration string like 10s"),
    ("frontend.enableClientVersionCheck:\n  - value: 'yes'\n", "expected true or false"),
    ("limit.blobSize.error: 5\n", "limit.blobSize.error: expected a list of {value, constraints}"),
    ("- just a list\n", "expected a mapping of keys to lists of values"),
])
def test_bad_values_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DynamicConfigError, match=message):
        read(write(tmp_path, text), "cluster0")


def test_the_static_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.chdir(REPO)  # relative paths are taken from the working directory
    modern = write(tmp_path, """
dynamicconfig:
  client: filebased
  filebased:
    filepath: config/dynamicconfig/development.yaml
    pollInterval: 10s
""", "modern.yaml")
    config = load_config(modern)
    assert (config.dynamic_config_file, config.dynamic_config_poll_s) == \
        (Path("config/dynamicconfig/development.yaml"), 10.0)
    legacy = write(tmp_path, "dynamicConfigClient:\n  filepath: "
                   "config/dynamicconfig/development.yaml\n", "legacy.yaml")
    assert load_config(legacy).dynamic_config_file == \
        Path("config/dynamicconfig/development.yaml")
    assert load_config(write(tmp_path, "dynamicconfig:\n  client: nop\n", "nop.yaml")
                       ).dynamic_config_file is None
    for text, message in (
            ("dynamicconfig:\n  client: configstore\n", "only the filebased client"),
            ("dynamicConfigClient:\n  filepath: nowhere.yaml\n",
             "dynamic config nowhere.yaml: cannot read"),
            ("dynamicConfigClient:\n  pollInterval: 5s\n", "filepath: required")):
        with pytest.raises(ConfigError, match=message):
            load_config(write(tmp_path, text, "bad.yaml"))


def test_the_shipped_file_holds_the_defaults() -> None:
    frontend, history = FrontendConfig(), HistoryConfig()
    expected = (vars(FrontendConfig()), vars(HistoryConfig()))
    DynamicConfig(REPO / "config" / "dynamicconfig" / "development.yaml", 10, "cluster0",
                  {"frontend": frontend, "history": history}).load()
    assert (vars(frontend), vars(history)) == expected


def test_a_running_server_follows_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "limit.blobSize.error:\n  - value: 10\n")
    config = load_config(write(tmp_path, f"dynamicConfigClient:\n  filepath: {path}\n"
                               "  pollInterval: 5s\n", "server.yaml"))
    config.port, config.data_dir, config.system_worker = 0, tmp_path / "data", False
    app = CadenceServer(config)
    app.start()
    channel = TChannelClient("127.0.0.1", app.address[1], caller="test")
    try:
        frontend = ThriftClient(channel, idl.workflow_service().WorkflowService,
                                "WorkflowService")
        shared = idl.shared()
        frontend.call("RegisterDomain", shared.RegisterDomainRequest(
            name="dyn", workflowExecutionRetentionPeriodInDays=1))

        def start(payload: bytes) -> Any:
            return frontend.call("StartWorkflowExecution", shared.StartWorkflowExecutionRequest(
                domain="dyn", workflowId=str(uuid.uuid4()),
                workflowType=shared.WorkflowType(name="w"), taskList=shared.TaskList(name="t"),
                input=payload, executionStartToCloseTimeoutSeconds=60,
                taskStartToCloseTimeoutSeconds=10, requestId=str(uuid.uuid4())))
        with pytest.raises(shared.BadRequestError, match="Input data size exceeds limit"):
            start(b"x" * 11)
        path.write_text("limit.blobSize.error:\n  - value: 100\n")
        app.dynamic_config.load()  # what the watcher does when the file's time moves
        assert start(b"x" * 11).runId
        path.write_text("limit.blobSize.error:\n  - value: oops\n")
        with pytest.raises(DynamicConfigError):
            app.dynamic_config.load()
        assert start(b"x" * 11).runId  # a bad edit leaves the previous values
        path.write_text("")
        app.dynamic_config.load()  # the key gone: back to the default (2 MiB)
        with pytest.raises(shared.BadRequestError, match="Input data size exceeds limit"):
            start(b"x" * (2 * 1024 * 1024 + 1))
        assert start(b"x" * 1000).runId
    finally:
        channel.close()
        app.stop(grace=1)


def test_the_watcher_reloads_a_changed_file(tmp_path: Path) -> None:
    import os
    import time

    import gevent

    path = write(tmp_path, "limit.historyCount.error:\n  - value: 5\n")
    history = HistoryConfig()
    watched = DynamicConfig(path, 5, "cluster0", {"frontend": FrontendConfig(),
                                                  "history": history})
    watched.load()
    assert history.history_count_limit_error == 5
    watched.poll_s = 0.05  # the file's own floor is 5 s; not worth waiting for here
    watched.start()
    try:
        path.write_text("limit.historyCount.error:\n  - value: 6\n")
        os.utime(path, (time.time() + 10, time.time() + 10))
        deadline = time.monotonic() + 5
        while history.history_count_limit_error != 6:
            assert time.monotonic() < deadline
            gevent.sleep(0.05)
    finally:
        watched.stop()
