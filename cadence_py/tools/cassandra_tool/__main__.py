"""``python -m cadence_py.tools.cassandra_tool``: same as ``cadence-cassandra-tool``."""

from cadence_py.tools.cassandra_tool.command_line import main

if __name__ == "__main__":
    main()
