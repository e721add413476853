"""Wires the roles together in one process: frontend handlers over one TChannel port.

History and matching join here as they are built; each keeps a narrow interface so
they can later run as separate processes against one Cassandra.
"""

from __future__ import annotations

import logging
import os

from cadence_py.frontend import FrontendConfig, WorkflowHandler
from cadence_py.frontend.admin_handler import AdminHandler, HealthHandler
from cadence_py.persistence.domains import DomainStore
from cadence_py.persistence.factory import open_domain_store
from cadence_py.rpc import idl
from cadence_py.rpc.dispatch import ThriftDispatcher
from cadence_py.server.config import ServerConfig
from cadence_py.transport import TChannelServer

log = logging.getLogger(__name__)


class CadenceServer:
    """One cadence-py process: stores, handlers, and the TChannel listener."""

    def __init__(self, config: ServerConfig, domains: DomainStore | None = None) -> None:
        self.config = config
        self.domains = domains or open_domain_store(config)
        frontend_config = FrontendConfig(cluster_name=config.cluster_name)
        dispatcher = ThriftDispatcher(capture_dir=os.environ.get("CADENCE_PY_CAPTURE_DIR"))
        dispatcher.register("WorkflowService", idl.workflow_service().WorkflowService,
                            WorkflowHandler(self.domains, frontend_config))
        dispatcher.register("AdminService", idl.admin().AdminService,
                            AdminHandler(frontend_config, config.store))
        dispatcher.register("Meta", idl.health().Meta, HealthHandler())
        self.dispatcher = dispatcher
        self.tchannel = TChannelServer(dispatcher, host=config.bind_host, port=config.port,
                                       process_name="cadence-py")

    @property
    def address(self) -> tuple[str, int]:
        return self.tchannel.address

    def start(self) -> None:
        self.tchannel.start()
        host, port = self.address
        log.info("cadence-py frontend listening on %s:%d (store: %s)", host, port,
                 self.config.store)

    def stop(self, grace: float = 10.0) -> None:
        log.info("stopping: waiting up to %.0fs for calls in flight", grace)
        self.tchannel.stop(grace)
        self.domains.close()
        log.info("stopped")
