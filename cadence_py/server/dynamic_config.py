"""Cadence's file-based dynamic config, for the knobs cadence-py has.

The static config names the file as upstream's does (``dynamicconfig: {client: filebased,
filebased: {filepath, pollInterval}}``, or the legacy ``dynamicConfigClient: {filepath,
pollInterval}``); a relative path is taken from the working directory, as upstream takes
it from its root directory (``.``). The file is upstream's format:

    limit.blobSize.error:
      - value: 1048576
    history.longPollExpirationInterval:
      - value: 30s
        constraints: {}

Values are resolved as upstream resolves them for this cluster: the first entry whose
constraints all hold (only ``clusterName`` can hold here: values per domain or task list
are not supported yet, and such entries are skipped with a warning), else the last entry
without constraints. Keys cadence-py has no use for are ignored, as upstream ignores
unknown keys, so one file can serve both servers. Unlike upstream, a missing file or a
value of the wrong type stops the start with a config error; after that the file is
re-read when it changes (every ``pollInterval``, at least 5 s) and a bad edit is logged
and leaves the previous values in force.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import gevent
import yaml

log = logging.getLogger(__name__)

MIN_POLL_S = 5.0


class DynamicConfigError(Exception):
    """A problem with the file, as one line naming the key."""


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {value!r}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


_DURATION_PART = re.compile(r"(\d*\.?\d*)(ns|us|µs|μs|ms|s|m|h)")
_DURATION = re.compile(r"[+-]?(?:0|(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)")
_UNIT_S = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0,
           "h": 3600.0}


def _duration(value: Any) -> float:
    """Go's time.ParseDuration syntax ("10s", "1m30s", ".5s", "0"), in seconds."""
    if not isinstance(value, str) or not _DURATION.fullmatch(value):
        raise ValueError(f"expected a duration string like 10s or 1m, got {value!r}")
    seconds = sum(float(n) * _UNIT_S[unit] for n, unit in _DURATION_PART.findall(value))
    return -seconds if value.startswith("-") else seconds


def _natural(value: Any) -> int:
    number = _int(value)
    if number < 0:
        raise ValueError(f"must not be negative, got {number}")
    return number


def _positive(value: Any) -> int:
    number = _int(value)
    if number <= 0:
        raise ValueError(f"must be positive, got {number}")
    return number


def _positive_duration(value: Any) -> float:
    seconds = _duration(value)
    if seconds <= 0:
        raise ValueError(f"must be a positive duration, got {value!r}")
    return seconds


def _map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError(f"expected a map, got {value!r}")
    return {str(k): str(v) for k, v in value.items()}


@dataclass(frozen=True)
class Setting:
    """Where a key's value goes: (role config, attribute) pairs, and its type."""

    targets: tuple[tuple[str, str], ...]
    parse: Callable[[Any], Any]


SETTINGS: dict[str, Setting] = {
    "system.minRetentionDays": Setting((("frontend", "min_retention_days"),), _natural),
    "system.maxRetentionDays": Setting((("frontend", "max_retention_days"),), _positive),
    "frontend.enableClientVersionCheck": Setting(
        (("frontend", "enable_client_version_check"),), _bool),
    "frontend.maxBadBinaries": Setting((("frontend", "max_bad_binary_count"),), _natural),
    "limit.domainNameLength": Setting((("frontend", "domain_name_max_length"),), _positive),
    "system.requiredDomainDataKeys": Setting(
        (("frontend", "required_domain_data_keys"),), _map),
    "matching.longPollExpirationInterval": Setting((("frontend", "poll_seconds"),),
                                                   _positive_duration),
    "limit.blobSize.error": Setting((("frontend", "blob_size_limit_error"),), _positive),
    "system.maxDecisionStartToCloseSeconds": Setting(
        (("frontend", "max_decision_start_to_close_seconds"),), _positive),
    "limit.historyCount.error": Setting((("history", "history_count_limit_error"),),
                                        _positive),
    "limit.historySize.error": Setting((("history", "history_size_limit_error"),), _positive),
    "history.longPollExpirationInterval": Setting((("history", "long_poll_seconds"),),
                                                  _positive_duration),
    "history.enableActivityLocalDispatchByDomain": Setting(
        (("history", "activity_local_dispatch"),), _bool),
}


def read(path: Path, cluster: str) -> tuple[dict[str, Any], list[str]]:
    """The values of the keys cadence-py uses, and warnings about entries it skipped."""
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise DynamicConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise DynamicConfigError(f"{path}: not valid YAML: {exc}".splitlines()[0]) from None
    if raw is None:
        return {}, []
    if not isinstance(raw, dict):
        raise DynamicConfigError(f"{path}: expected a mapping of keys to lists of values")
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for key, entries in raw.items():
        setting = SETTINGS.get(key)
        if setting is None:
            continue
        if not isinstance(entries, list) or not all(
                isinstance(e, dict) and "value" in e for e in entries):
            raise DynamicConfigError(f"{path}: {key}: expected a list of {{value, constraints}}")
        chosen, found = None, False
        for entry in entries:
            constraints = entry.get("constraints") or {}
            if not isinstance(constraints, dict):
                raise DynamicConfigError(f"{path}: {key}: constraints must be a mapping")
            if not constraints:
                chosen, found = entry["value"], True
            elif set(constraints) == {"clusterName"}:
                if constraints["clusterName"] == cluster:
                    chosen, found = entry["value"], True
                    break
            else:
                warnings.append(f"{key}: values for {', '.join(sorted(constraints))} are not "
                                "supported by cadence-py yet; that entry is skipped")
        if not found:
            continue
        try:
            values[key] = setting.parse(chosen)
        except ValueError as exc:
            raise DynamicConfigError(f"{path}: {key}: {exc}") from None
    return values, warnings


class DynamicConfig:
    """Applies the file's values to the roles' config objects, now and when it changes
    (they read their fields on every use, so a change takes effect at once)."""

    def __init__(self, path: Path, poll_s: float, cluster: str,
                 targets: dict[str, Any]) -> None:
        self.path, self.cluster, self.targets = path, cluster, targets
        self.poll_s = max(poll_s, MIN_POLL_S)
        self._defaults = {(role, attr): getattr(targets[role], attr)
                          for setting in SETTINGS.values() for role, attr in setting.targets}
        self._mtime = 0.0
        self._watcher: gevent.Greenlet | None = None

    def load(self) -> None:
        """Read and apply the file; DynamicConfigError leaves everything as it was."""
        mtime = os.stat(self.path).st_mtime if self.path.exists() else 0.0
        values, warnings = read(self.path, self.cluster)
        for warning in warnings:
            log.warning("dynamic config %s: %s", self.path, warning)
        for key, setting in SETTINGS.items():
            for role, attr in setting.targets:
                value = values[key] if key in values else self._defaults[(role, attr)]
                setattr(self.targets[role], attr, value)
        self._mtime = mtime
        log.info("dynamic config %s: %d keys in force%s", self.path, len(values),
                 f" ({', '.join(sorted(values))})" if values else "")

    def start(self) -> None:
        self._watcher = gevent.spawn(self._watch)

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.kill(block=False)

    def _watch(self) -> None:
        while True:
            gevent.sleep(self.poll_s)
            try:
                if os.stat(self.path).st_mtime != self._mtime:  # a copy may be older
                    self.load()
            except (OSError, DynamicConfigError) as exc:
                log.error("dynamic config %s: not reloaded, the previous values stay: %s",
                          self.path, exc)
                self._mtime = max(self._mtime, _mtime_or_zero(self.path))


def _mtime_or_zero(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0
