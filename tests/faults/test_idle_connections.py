"""Issue 15, idle and partial connections: no peer holds sockets forever, and the CLI
still gets in while many are held.

A real server subprocess with short deadlines (so the test runs in seconds) and a small
cap; the peers are real loopback sockets: idle TChannel connections, half-sent frames,
frames trickled a byte at a time, and a connection with a long poll in flight.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest
from gevent import socket as gsocket

from cadence_py.rpc import idl
from cadence_py.transport import TChannelClient
from tests.faults.tchannel_peers import (frontend, poll, register_domain, start_server,
                                         tracebacks)
from tests.harness.server import ServerProcess
from tests.transport import wire
from tests.transport.wire import RawPeer

IDLE, PARTIAL, CAP = 3.0, 1.0, 120
#: A sweep runs every quarter of the shorter deadline: this much late is still on time.
SLACK = 1.5


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path, {"idleConnectionTimeout": f"{IDLE:g}s",
                                   "incompleteMessageTimeout": f"{PARTIAL:g}s",
                                   "maxConnections": str(CAP)})
    yield proc
    proc.stop()


def _handshaken(port: int) -> gsocket.socket:
    """A raw loopback socket past the init handshake."""
    peer = RawPeer(("127.0.0.1", port))
    peer.handshake()
    return peer.sock


def _closed_within(sock: gsocket.socket, seconds: float) -> float | None:
    """Seconds until the server closed ``sock`` (an error frame first is fine), or None."""
    started = time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not sock.recv(65536):
                return time.monotonic() - started
        except TimeoutError:
            return None
        except OSError:  # reset
            return time.monotonic() - started
    return None


def _answers_quickly(port: int) -> float:
    """A CLI-like client: a new connection, DescribeDomain; the seconds it took."""
    started = time.monotonic()
    channel, client = frontend(port, "cli-like")
    try:
        client.call("DescribeDomain", idl.shared().DescribeDomainRequest(name="idle"),
                    ttl_ms=5000)
    finally:
        channel.close()
    return time.monotonic() - started


def test_partial_frames_and_idle_connections_are_closed(server: ServerProcess) -> None:
    channel, client = frontend(server.port, "setup")
    register_domain(client, "idle")
    channel.close()

    half_frames = []
    for _ in range(20):
        sock = _handshaken(server.port)
        sock.sendall(wire.frame(wire.CALL_REQ, 7, b"\x00" * 60)[:30])  # 30 of 76 bytes
        half_frames.append(sock)
    half_messages = []  # a first fragment whose continuation never comes
    for _ in range(5):
        sock = _handshaken(server.port)
        sock.sendall(wire.frame(wire.CALL_REQ, 9, wire.call_req_payload(
            [b"WorkflowService::DescribeDomain", b""], flags=0x01)))
        half_messages.append(sock)
    trickler = _handshaken(server.port)
    trickled = wire.frame(wire.CALL_REQ, 11, b"\x00" * 200)
    idle = [_handshaken(server.port) for _ in range(10)]
    opened = time.monotonic()

    # A long poll in flight longer than the idle deadline: its connection is not idle.
    poll_channel, poller = frontend(server.port, "long-poller")
    long_poll = gevent.spawn(poll, poller, "PollForDecisionTask", "idle", "tl", "poller",
                             int((IDLE + 3) * 1000))
    pinger = TChannelClient("127.0.0.1", server.port, caller="pinger")
    pinger_conn = pinger.connect()

    def ping() -> None:  # answered, but not activity (as tchannel-go's idle sweep)
        while not pinger_conn.closed:
            try:
                pinger_conn.ping(timeout=1)
            except Exception:  # noqa: BLE001 - the server closed it: what we wait for
                return
            gevent.sleep(0.5)

    pinging = gevent.spawn(ping)

    # The trickler sends a byte every 0.1 s: activity, but its frame never completes.
    def trickle() -> None:
        for byte in trickled:
            try:
                trickler.send(bytes([byte]))
            except OSError:
                return
            gevent.sleep(0.1)

    trickling = gevent.spawn(trickle)
    assert _answers_quickly(server.port) < 1.0
    closed = [_closed_within(s, PARTIAL + SLACK) for s in half_frames + half_messages]
    assert all(t is not None for t in closed), f"{closed.count(None)} half-sent stayed open"
    assert _closed_within(trickler, PARTIAL + SLACK) is not None, "trickled frame stayed open"
    trickling.kill()
    assert time.monotonic() - opened < IDLE, "too slow to tell idle from half-sent"
    assert _closed_within(idle[0], 0.2) is None, "idle connection closed before its deadline"

    waited = [_closed_within(s, IDLE + SLACK) for s in idle]
    assert all(t is not None for t in waited), f"{waited.count(None)} idle stayed open"
    response = long_poll.get(timeout=IDLE + 5)  # answered empty at its window's end
    assert not response.taskToken
    assert not poll_channel._conn.closed  # type: ignore[union-attr]
    gevent.sleep(SLACK)  # pings are not activity: the pinger's idle deadline passed
    assert pinger_conn.closed
    pinging.kill()
    assert _answers_quickly(server.port) < 1.0
    for sock in half_frames + half_messages + idle + [trickler]:
        sock.close()
    poll_channel.close()
    pinger.close()
    assert tracebacks(server) == []


@pytest.fixture
def capped_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The cap without an idle deadline that could close the held sockets mid-test."""
    proc = start_server(tmp_path, {"maxConnections": str(CAP)})
    yield proc
    proc.stop()


def test_cli_gets_in_at_the_connection_cap(capped_server: ServerProcess) -> None:
    server = capped_server
    channel, client = frontend(server.port, "setup")
    register_domain(client, "idle")
    channel.close()
    # The first connection holds a long poll: busy, so never the one evicted.
    poll_channel, poller = frontend(server.port, "long-poller")
    long_poll = gevent.spawn(poll, poller, "PollForActivityTask", "idle", "tl", "poller",
                             4000)
    gevent.sleep(0.2)
    held = [_handshaken(server.port) for _ in range(CAP + 30)]
    assert _answers_quickly(server.port) < 1.0
    assert _answers_quickly(server.port) < 1.0
    evicted = [s for s in held[:40] if _closed_within(s, 0.2) is not None]
    assert len(evicted) >= 30, f"only {len(evicted)} of the oldest idle were closed"
    assert all(_closed_within(s, 0.05) is None for s in held[-20:]), "newest were closed"
    assert not long_poll.get(timeout=10).taskToken  # its poll was answered, not cut
    for sock in held:
        sock.close()
    poll_channel.close()
    # Evictions are logged together by the next sweep (every 5 s with these deadlines).
    deadline = time.monotonic() + 7
    while "evicted" not in Path(server.log_path).read_text():
        assert time.monotonic() < deadline, "evictions were never logged"
        gevent.sleep(0.2)
    assert tracebacks(server) == []


def test_a_1024_fd_server_serves_the_cli_past_1100_idle_connections(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's own numbers, default limits: the server process gets a hard fd limit
    of 1,024 (a sitecustomize on its PYTHONPATH sets it before anything runs)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))\n")
    monkeypatch.setenv("PYTHONPATH", str(site))
    proc = start_server(tmp_path)
    monkeypatch.delenv("PYTHONPATH")
    held: list[gsocket.socket] = []
    try:
        assert proc.proc is not None
        assert "Max open files            1024                 1024" in Path(
            f"/proc/{proc.proc.pid}/limits").read_text()
        channel, client = frontend(proc.port, "setup")
        register_domain(client, "idle")
        channel.close()
        for _ in range(1100):
            held.append(_handshaken(proc.port))
        took = [_answers_quickly(proc.port) for _ in range(3)]
        assert max(took) < 1.0, took
        open_held = [s for s in held if _closed_within(s, 0.001) is None]
        assert 800 <= len(open_held) <= 896, len(open_held)  # the cap, minus the CLI's
    finally:
        for sock in held:
            sock.close()
        proc.stop()
    assert "at most 896 connections" in Path(proc.log_path).read_text()
    assert tracebacks(proc) == []


def test_soft_fd_limit_raised_to_hard(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard <= 256:
        pytest.skip(f"hard open-file limit {hard}: nothing to raise to")
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))  # the child inherits it
    try:
        proc = start_server(tmp_path)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    try:
        assert proc.proc is not None
        limits = Path(f"/proc/{proc.proc.pid}/limits").read_text()
        line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
        assert line.split()[3:5] == [str(hard), str(hard)], line
    finally:
        proc.stop()
