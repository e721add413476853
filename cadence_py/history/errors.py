"""Internal history errors (never sent to clients as such)."""


class StaleTaskError(Exception):
    """A dispatched task no longer matches the run (already started, completed, or the
    run closed): matching drops it instead of handing it to a worker."""
