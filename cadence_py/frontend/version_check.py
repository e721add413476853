"""The client-version check upstream runs before every frontend call.

Off by default upstream (frontend.enableClientVersionCheck); when on, a known client
whose feature version is above what the server supports gets
ClientVersionNotSupportedError. Unknown clients and missing headers pass.
"""

from __future__ import annotations

from cadence_py.frontend.config import FrontendConfig
from cadence_py.common.errors import client_version_not_supported
from cadence_py.rpc.context import RequestContext

CLIENT_NAME_HEADER = "cadence-client-name"
FEATURE_VERSION_HEADER = "cadence-client-feature-version"


def _parse(version: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in version.strip().lstrip("v").split("."))
    except ValueError:
        return None


def check_client_version(ctx: RequestContext, config: FrontendConfig) -> None:
    """Raise ClientVersionNotSupportedError if the caller is too new for us."""
    if not config.enable_client_version_check:
        return
    feature = ctx.headers.get(FEATURE_VERSION_HEADER, "")
    if not feature:
        return
    supported = {"uber-go": config.supported_go_sdk, "uber-java": config.supported_java_sdk,
                 "cli": config.supported_cli}.get(ctx.headers.get(CLIENT_NAME_HEADER, ""))
    if supported is None:
        return
    have, limit = _parse(feature), _parse(supported)
    if have is None or limit is None or have > limit:
        raise client_version_not_supported(feature, ctx.headers.get(CLIENT_NAME_HEADER, ""),
                                           f"<={supported}")
