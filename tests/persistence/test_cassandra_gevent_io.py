"""The server's driver connection (``persistence/cassandra/gevent_io.py``): loop timers and
coalesced writes, alone and against the real node from a gevent-patched process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import gevent
import gevent.socket
import pytest
from gevent.queue import Queue

from cadence_py.persistence.cassandra.gevent_io import LoopTimerConnection


def test_a_loop_timer_fires_in_a_greenlet_of_its_own_unless_cancelled() -> None:
    fired: list[object] = []
    timer = LoopTimerConnection.create_timer(0.01, lambda: fired.append(gevent.getcurrent()))
    cancelled = LoopTimerConnection.create_timer(0.01, lambda: fired.append("cancelled"))
    cancelled.cancel()
    gevent.sleep(0.1)
    assert len(fired) == 1 and fired[0] is not gevent.get_hub()  # may take locks: not the hub
    assert not timer.canceled and cancelled.canceled
    timer.cancel()  # after it fired: harmless, as the driver cancels on every response


class _CountingSocket:
    def __init__(self, sock: gevent.socket.socket) -> None:
        self.sock = sock
        self.sends: list[int] = []

    def sendall(self, data: bytes) -> None:
        self.sends.append(len(data))
        self.sock.sendall(data)


@pytest.mark.filterwarnings("ignore:Call to deprecated class GeventConnection")
def test_queued_requests_go_out_whole_in_order_in_one_send() -> None:
    ours, peer = gevent.socket.socketpair()
    conn = LoopTimerConnection.__new__(LoopTimerConnection)  # no driver handshake needed
    conn._write_queue = Queue()
    conn._socket = counting = _CountingSocket(ours)
    big = bytes(range(256)) * 1024  # 256 KiB: the driver used to split it into 4 KiB sends
    for data in (b"first", big, b"last"):
        conn.push(data)
    writer = gevent.spawn(conn.handle_write)
    received = b""
    with gevent.Timeout(5):
        while len(received) < len(big) + 9:
            received += peer.recv(1 << 20)
    writer.kill()
    assert received == b"first" + big + b"last"
    assert counting.sends == [len(received)]


_REAL_NODE = textwrap.dedent("""
    from gevent import monkey; monkey.patch_all()
    import json, sys, gevent
    from cassandra import OperationTimedOut
    from cadence_py.persistence.cassandra import CassandraConfig, connect
    host, port, keyspace = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    session = connect(CassandraConfig(hosts=(host,), port=port, keyspace=""))
    session.execute("CREATE KEYSPACE %s WITH replication = "
                    "{'class': 'SimpleStrategy', 'replication_factor': 1}" % keyspace)
    session.execute("CREATE TABLE %s.t (k int, c int, v blob, PRIMARY KEY (k, c))" % keyspace)
    insert = session.prepare("INSERT INTO %s.t (k, c, v) VALUES (?, ?, ?)" % keyspace)
    big = bytes(range(256)) * 1200  # 300 KiB each way: many reads of the 64 KiB buffer
    def write(k):
        for c in range(20):
            session.execute(insert, (k, c, big if c == 0 else b"x" * c))
    gevent.joinall([gevent.spawn(write, k) for k in range(25)], raise_error=True)
    rows = list(session.execute("SELECT k, c, v FROM %s.t" % keyspace))
    timed_out = False
    try:
        session.execute("SELECT * FROM %s.t" % keyspace, timeout=0.000001)
    except OperationTimedOut:
        timed_out = True
    after = session.execute("SELECT count(*) AS n FROM %s.t" % keyspace).one()["n"]
    print(json.dumps({
        "connection": type(session.cluster.connection_class).__name__
        if not isinstance(session.cluster.connection_class, type)
        else session.cluster.connection_class.__name__,
        "rows": len(rows), "big_intact": sum(r["v"] == big for r in rows),
        "timed_out": timed_out, "after": after}))
    session.execute("DROP KEYSPACE %s" % keyspace)
    session.cluster.shutdown()
""")


@pytest.mark.cassandra
def test_the_server_connection_against_the_real_node(cassandra_node) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import new_keyspace

    done = subprocess.run([sys.executable, "-c", _REAL_NODE, cassandra_node.contact_point,
                           str(cassandra_node.port), new_keyspace("gio")],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"connection": "LoopTimerConnection", "rows": 500, "big_intact": 25,
                      "timed_out": True, "after": 500}
