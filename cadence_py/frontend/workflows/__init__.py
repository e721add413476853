"""Workflow APIs of the frontend: validate, resolve the domain, call history/matching."""
