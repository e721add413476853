"""The frontend role: Cadence's public WorkflowService and AdminService handlers.

Handlers validate requests the way the upstream frontend does, then call the domain
logic and the persistence interfaces. They receive decoded structs, never bytes.
"""

from cadence_py.frontend.config import FrontendConfig
from cadence_py.frontend.handler import WorkflowHandler

__all__ = ["FrontendConfig", "WorkflowHandler"]
