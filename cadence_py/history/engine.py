"""HistoryEngine: the history role's interface, assembled from the per-API mixins."""

from cadence_py.history.api.activity_tasks import ActivityTaskAPI
from cadence_py.history.api.control import ControlAPI
from cadence_py.history.api.decision_tasks import DecisionTaskAPI
from cadence_py.history.api.reading import ReadingAPI
from cadence_py.history.api.reset import ResetAPI
from cadence_py.history.api.start import StartAPI
from cadence_py.history.core import EngineCore


class HistoryEngine(ResetAPI, ControlAPI, StartAPI, DecisionTaskAPI, ActivityTaskAPI, ReadingAPI,
                    EngineCore):
    """Runs: start, decide, act, signal, cancel, terminate, read, describe."""
