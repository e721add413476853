"""Cron schedules as Cadence reads them (robfig/cron ParseStandard).

Five-field specs (minute hour day-of-month month day-of-week), the descriptors
@yearly/@annually/@monthly/@weekly/@daily/@midnight/@hourly, and ``@every <duration>``
with a Go duration. The backoff before the next run is measured from the close time to
the first schedule time after it, counting from the run's start, rounded up to seconds.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone

from croniter import croniter

DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
               "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
               "@hourly": "0 * * * *"}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


class InvalidCronSchedule(ValueError):
    pass


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration string such as ``1m30s`` or ``500ms``."""
    text = text.strip()
    if not text or _DURATION_PART.sub("", text):
        raise InvalidCronSchedule(f"invalid duration {text!r}")
    return sum(float(n) * _UNITS[u] for n, u in _DURATION_PART.findall(text))


def validate(schedule: str) -> None:
    next_time(schedule, datetime.now(timezone.utc))


def next_time(schedule: str, after: datetime) -> datetime:
    """The first activation strictly after ``after``."""
    spec = schedule.strip()
    if spec.startswith("@every"):
        seconds = parse_go_duration(spec[len("@every"):])
        if seconds <= 0:
            raise InvalidCronSchedule("@every needs a positive duration")
        seconds = max(seconds, 1.0)
        whole = after.replace(microsecond=0)
        return whole + timedelta(seconds=seconds)
    spec = DESCRIPTORS.get(spec, spec)
    if len(spec.split()) != 5 or not croniter.is_valid(spec):
        raise InvalidCronSchedule(f"invalid cron schedule {schedule!r}")
    return croniter(spec, after).get_next(datetime)


def backoff_seconds(schedule: str, start_ns: int, close_ns: int) -> int:
    """Seconds from ``close_ns`` to the next activation (counting from the run's start)."""
    start = datetime.fromtimestamp(start_ns / 1e9, timezone.utc)
    close = datetime.fromtimestamp(close_ns / 1e9, timezone.utc)
    upcoming = next_time(schedule, start)
    while upcoming < close:
        upcoming = next_time(schedule, upcoming)
    return max(math.ceil((upcoming - close).total_seconds()), 0)
