"""Every config file we ship loads, with metrics where Cadence puts them."""

from __future__ import annotations

import pytest

from cadence_py.server.config import load_config
from tests.conftest import REPO


@pytest.mark.parametrize("path", sorted((REPO / "config").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_shipped_config_loads(path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    for var in ("STATSD_HOST_PORT", "STATSD_PREFIX"):
        monkeypatch.delenv(var, raising=False)
    config = load_config(path)
    statsd = config.metrics_for("frontend").statsd
    assert (statsd.host, statsd.port, statsd.prefix, statsd.flush_interval) == \
        ("127.0.0.1", 8125, "cadence", 0.3)
