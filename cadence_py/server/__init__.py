"""Configuration, wiring of the roles, and the ``cadence-py`` command line."""
