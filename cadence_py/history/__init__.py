"""The history role: each run's event history, mutable state and durable task queues.

``HistoryEngine`` is the narrow interface the frontend and matching use; it could sit
behind its own RPC endpoint later without the callers changing.
"""
