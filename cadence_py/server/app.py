"""Wires the roles together in one process: frontend handlers over one TChannel port.

History and matching join here as they are built; each keeps a narrow interface so
they can later run as separate processes against one Cassandra.
"""

from __future__ import annotations

import logging
import os

from cadence_py.frontend import FrontendConfig, WorkflowHandler
from cadence_py.frontend.admin_handler import AdminHandler, HealthHandler
from cadence_py.metrics import names as metric_names
from cadence_py.metrics import new_metrics
from cadence_py.metrics.gauges import GaugeReporter
from cadence_py.metrics.matching import MatchingMetrics
from cadence_py.metrics.persistence import (metered_domain_store, metered_execution_store,
                                            metered_task_store)
from cadence_py.metrics.rpc import RpcMetrics
from cadence_py.persistence.domains import DomainStore
from cadence_py.common import errors
from cadence_py.common.domain_cache import DomainCache
from cadence_py.history.config import HistoryConfig
from cadence_py.history.engine import HistoryEngine
from cadence_py.history.queues import TimerQueueProcessor, TransferQueueProcessor
from cadence_py.history.state_cache import CachedExecutionStore
from cadence_py.matching import MatchingEngine
from cadence_py.persistence.factory import open_domain_store, open_execution_stores
from cadence_py.rpc import idl
from cadence_py.rpc.dispatch import ThriftDispatcher
from cadence_py.server.config import ServerConfig
from cadence_py.server.dynamic_config import DynamicConfig
from cadence_py.transport import TChannelServer
from cadence_py.visibility.setup import open_visibility
from cadence_py.worker import SystemWorker
from cadence_py.worker.domains import ensure_system_domains

log = logging.getLogger(__name__)


class CadenceServer:
    """One cadence-py process: stores, handlers, and the TChannel listener."""

    def __init__(self, config: ServerConfig, domains: DomainStore | None = None) -> None:
        self.config = config
        self.metrics = new_metrics(metric_names.FRONTEND, config.metrics_for("frontend"))
        self.history_metrics = new_metrics(metric_names.HISTORY, config.metrics_for("history"))
        self.matching_metrics = new_metrics(metric_names.MATCHING,
                                            config.metrics_for("matching"))
        raw_domains = domains or open_domain_store(config)
        self._raw_domains = raw_domains  # the worker role's own writes: not frontend calls
        self.domains = metered_domain_store(raw_domains, self.metrics)
        frontend_config = FrontendConfig(cluster_name=config.cluster_name)
        history_config = HistoryConfig(cluster_name=config.cluster_name)
        self.dynamic_config: DynamicConfig | None = None
        if config.dynamic_config_file is not None:
            self.dynamic_config = DynamicConfig(
                config.dynamic_config_file, config.dynamic_config_poll_s, config.cluster_name,
                {"frontend": frontend_config, "history": history_config})
            self.dynamic_config.load()
        self.domain_cache = DomainCache(self.domains)
        executions, tasks = open_execution_stores(config, raw_domains)
        self.executions = CachedExecutionStore(
            metered_execution_store(executions, self.history_metrics))
        self.tasks = metered_task_store(tasks, self.matching_metrics)
        self.history = HistoryEngine(self.executions, self.domain_cache, history_config,
                                     metrics=self.history_metrics)
        self.matching = MatchingEngine(
            self.tasks, MatchingMetrics(self.matching_metrics, self.domain_cache))
        self.visibility_parts = open_visibility(config, raw_domains, executions,
                                                self.history, self.history_metrics)
        self.visibility = self.visibility_parts.store
        self.transfer_queue = TransferQueueProcessor(
            self.history, self.matching, self.visibility_parts.writer,
            metrics=self.history_metrics)
        self.timer_queue = TimerQueueProcessor(self.history, metrics=self.history_metrics)
        self.gauges = GaugeReporter()  # queue lag, task list backlog
        self.gauges.add(self.transfer_queue.metrics.report)
        self.gauges.add(self.timer_queue.metrics.report)
        self.gauges.add(self.matching.metrics.gauges(self.matching.managers))
        dispatcher = ThriftDispatcher(capture_dir=os.environ.get("CADENCE_PY_CAPTURE_DIR"),
                                      map_error=errors.from_store_error)
        dispatcher.register("WorkflowService", idl.workflow_service().WorkflowService,
                            WorkflowHandler(self.domains, frontend_config, self.history,
                                            self.matching, self.domain_cache, self.visibility,
                                            self.visibility_parts.search_attributes,
                                            self.visibility_parts.queries))
        dispatcher.register("AdminService", idl.admin().AdminService,
                            AdminHandler(frontend_config, config.store,
                                         self.visibility_parts.search_attributes,
                                         self.visibility_parts.elasticsearch))
        dispatcher.register("Meta", idl.health().Meta, HealthHandler())
        dispatcher.observers.append(RpcMetrics(self.metrics))
        self.dispatcher = dispatcher
        self.tchannel = TChannelServer(dispatcher, host=config.bind_host, port=config.port,
                                       process_name="cadence-py",
                                       max_message_size=frontend_config.max_request_bytes,
                                       limits=config.connection_limits)
        self.worker: SystemWorker | None = None

    @property
    def address(self) -> tuple[str, int]:
        return self.tchannel.address

    def start(self) -> None:
        self.transfer_queue.start()
        self.timer_queue.start()
        self.visibility_parts.start()
        self.gauges.start()
        if self.dynamic_config is not None:
            self.dynamic_config.start()
        self.tchannel.start()
        host, port = self.address
        if self.config.system_worker:
            ensure_system_domains(self._raw_domains, self.config.cluster_name)
            self.worker = SystemWorker(host, port)
            self.worker.start()
        log.info("cadence-py frontend listening on %s:%d (store: %s)", host, port,
                 self.config.store)
        if self.metrics.enabled:
            statsd = self.config.metrics_for("frontend").statsd  # type: ignore[union-attr]
            log.info("metrics: statsd %s:%d prefix %r", statsd.host, statsd.port,
                     statsd.prefix)

    def stop(self, grace: float = 10.0) -> None:
        log.info("stopping: waiting up to %.0fs for calls in flight", grace)
        if self.worker is not None:
            self.worker.request_stop()
        self.matching.shutdown()  # long polls answer (empty) now instead of at their TTL
        if self.worker is not None:
            self.worker.stop()
        self.history.notifier.shutdown()
        self.tchannel.stop(grace)
        self.transfer_queue.stop()
        self.timer_queue.stop()
        self.visibility_parts.stop()
        self.gauges.stop()
        if self.dynamic_config is not None:
            self.dynamic_config.stop()
        log.info("state cache: %d hits, %d misses", self.executions.hits,
                 self.executions.misses)
        self.executions.close()  # Cassandra: its own session; SQLite: a no-op
        self.domains.close()
        for metrics in (self.metrics, self.history_metrics, self.matching_metrics):
            metrics.close()
        log.info("stopped")
