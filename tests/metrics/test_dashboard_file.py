"""config/graphite-dashboard.json: graphite-web's dashboard state, reading our series.

(The e2e test loads it into a real graphite-web and renders every panel.)
"""

from __future__ import annotations

import json
import re
import urllib.parse

from cadence_py.metrics import names
from tests.conftest import REPO

STATE = json.loads((REPO / "config" / "graphite-dashboard.json").read_text())
KNOWN = {v for k, v in vars(names).items() if k.isupper() and isinstance(v, str)}
SERIES = re.compile(r"stats\.(counters|timers|gauges)\.cadence\.([A-Za-z_*{},]+)\.")


def test_state_has_what_graphite_web_applies() -> None:
    assert {"name", "timeConfig", "refreshConfig", "graphSize", "defaultGraphParams",
            "graphs"} <= set(STATE)
    for graph_id, params, url in STATE["graphs"]:
        # The layout graphite-web's own "edit dashboard" produces: [id, params, url].
        assert graph_id == urllib.parse.urlencode({"target": params["target"]}, doseq=True)
        assert url == "/render?" + urllib.parse.urlencode(params, doseq=True)
        assert params["title"] and params["target"]


def test_every_target_reads_metrics_we_emit() -> None:
    for _, params, _ in STATE["graphs"]:
        for target in params["target"]:
            found = SERIES.findall(target)
            assert found, target
            for kind, metric in found:
                pattern = re.compile(metric.replace("*", ".*") + "$")
                assert any(pattern.match(name) for name in KNOWN), (metric, target)
                assert (kind == "timers") == ("latency" in metric), target


def test_panels_cover_the_issue() -> None:
    titles = " | ".join(params["title"] for _, params, _ in STATE["graphs"])
    for words in ("requests/s by API", "errors/s by API", "latency p90", "latency median",
                  "Persistence latency", "Persistence requests", "Workflows started",
                  "Workflows completed", "Task list backlog", "Matching polls",
                  "History queue tasks", "Queue processor lag"):
        assert words in titles
