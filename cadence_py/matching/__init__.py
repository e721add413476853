"""The matching role: task lists that hand decision and activity tasks to long polls.

``MatchingEngine`` is its narrow interface: history adds tasks, the frontend polls.
"""

from cadence_py.matching.engine import MatchingEngine

__all__ = ["MatchingEngine"]
