"""Frontend settings; defaults are the upstream server's dynamic-config defaults."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FrontendConfig:
    cluster_name: str = "cluster0"
    min_retention_days: int = 1  # system.minRetentionDays
    max_retention_days: int = 30  # system.maxRetentionDays
    domain_name_max_length: int = 1000  # limit.domainNameLength
    max_bad_binary_count: int = 10  # frontend.maxBadBinaries
    enable_client_version_check: bool = False  # frontend.enableClientVersionCheck
    required_domain_data_keys: dict[str, str] = field(default_factory=dict)
    blob_size_limit_error: int = 2 * 1024 * 1024  # limit.blobSize.error
    # A whole request (a TChannel call's arguments): upstream's default gRPC maximum
    # message size (rpc grpcMaxMsgSize, 4 MiB); bigger calls get an error frame before
    # they are reassembled. Read once, when the listener starts.
    max_request_bytes: int = 4 * 1024 * 1024
    # Domain fields, which every DescribeDomain/ListDomains answer carries and every
    # server keeps in its domain cache: upstream bounds only the name, and a 10 MB
    # description made each describe a 10 MB answer. Ours, in characters / bytes.
    domain_description_max_length: int = 4096
    domain_owner_email_max_length: int = 1000  # as limit.maxIDLength
    domain_data_max_bytes: int = 64 * 1024  # keys and values of the data map together
    max_decision_start_to_close_seconds: int = 240  # system.maxDecisionStartToCloseSeconds
    poll_seconds: float = 60.0  # matching.longPollExpirationInterval
    # GetClusterInfo.supportedClientVersions and the version check's upper bounds.
    supported_go_sdk: str = "1.7.0"
    supported_java_sdk: str = "1.5.0"
    supported_cli: str = "1.7.0"
