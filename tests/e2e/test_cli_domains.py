"""The real Cadence CLI manages domains on cadence-py (SQLite and Cassandra)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from tests.e2e.conftest import CliResult
from tests.harness.server import ServerProcess

Cli = Callable[..., CliResult]


def test_register_describe_update(cli: Cli) -> None:
    first = cli("--do", "samples-domain", "d", "re")
    assert first.code == 0, first.output
    assert "Domain samples-domain successfully registered." in first.output

    again = cli("--do", "samples-domain", "d", "re")
    assert again.code != 0
    assert "Domain samples-domain already registered." in again.output

    desc = cli("--do", "samples-domain", "d", "desc")
    assert desc.code == 0, desc.output
    assert "Name: samples-domain" in desc.output
    assert "Status: REGISTERED" in desc.output
    assert "RetentionInDays: 3" in desc.output
    assert "ActiveClusterName: cluster0" in desc.output

    update = cli("--do", "samples-domain", "d", "up", "--rd", "7")
    assert update.code == 0, update.output
    assert "Domain samples-domain successfully updated." in update.output
    assert "RetentionInDays: 7" in cli("--do", "samples-domain", "d", "desc").output


def test_describe_missing_domain(cli: Cli) -> None:
    result = cli("--do", "nope", "d", "desc")
    assert result.code != 0
    assert "Domain nope does not exist." in result.output


def test_domain_survives_restart(cli: Cli, server: ServerProcess) -> None:
    assert cli("--do", "durable", "d", "re", "--rd", "5").code == 0
    server.restart()
    desc = cli("--do", "durable", "d", "desc")
    assert desc.code == 0, desc.output
    assert "Name: durable" in desc.output
    assert "RetentionInDays: 5" in desc.output


def test_bad_input_gets_clear_errors(cli: Cli) -> None:
    bad_name = cli("--do", "bad_name!", "d", "re")
    assert bad_name.code != 0
    assert "Domain name can only include alphanumeric and dash characters." in bad_name.output
    too_long = cli("--do", "long-retention", "d", "re", "--rd", "365")
    assert too_long.code != 0
    assert "RetentionDays is invalid." in too_long.output
    # the server keeps serving after rejecting bad input
    assert cli("--do", "still-fine", "d", "re").code == 0


def test_update_description_owner_and_data(cli: Cli) -> None:
    assert cli("--do", "meta", "d", "re", "--desc", "first", "--oe", "a@example.com").code == 0
    result = cli("--do", "meta", "d", "up", "--desc", "second", "--oe", "b@example.com",
                 "--domain_data", "team=payments")
    assert result.code == 0, result.output
    desc = cli("--do", "meta", "d", "desc").output
    assert "Description: second" in desc
    assert "OwnerEmail: b@example.com" in desc
    assert "team" in desc and "payments" in desc


def test_bad_binaries_add_and_remove(cli: Cli) -> None:
    assert cli("--do", "bins", "d", "re").code == 0
    added = cli("--do", "bins", "d", "up", "--add_bad_binary", "abc123", "--reason", "broken")
    assert added.code == 0, added.output
    desc = cli("--do", "bins", "d", "desc").output
    assert "abc123" in desc and "broken" in desc
    removed = cli("--do", "bins", "d", "up", "--remove_bad_binary", "abc123")
    assert removed.code == 0, removed.output
    assert "abc123" not in cli("--do", "bins", "d", "desc").output
    missing = cli("--do", "bins", "d", "up", "--remove_bad_binary", "nope")
    assert missing.code != 0
    assert "Bad binary checksum nope doesn't exists." in missing.output


def test_admin_domain_list(cli: Cli) -> None:
    for name in ("list-a", "list-b"):
        assert cli("--do", name, "d", "re").code == 0
    listing = cli("admin", "domain", "list")
    assert listing.code == 0, listing.output
    assert "list-a" in listing.output and "list-b" in listing.output


def deprecate(cli: Cli, domain: str) -> None:
    """CLI 1.4.1's ``domain deprecate`` starts the server's domain deprecation workflow and
    returns; the domain shows as deprecated once its second activity ran."""
    started = cli("--do", domain, "d", "dep")
    assert started.code == 0, started.output
    assert re.search(r"Domain deprecation is in progress\. Workflow ID: "
                     rf"domain-deprecation-{domain}-\S+, Run ID: \S+", started.output)
    deadline = time.monotonic() + 30
    while "Status: DEPRECATED" not in cli("--do", domain, "d", "desc").output:
        assert time.monotonic() < deadline, "the domain was never deprecated"
        time.sleep(0.2)


def test_delete_asks_and_needs_a_deprecated_domain(cli: Cli) -> None:
    assert cli("--do", "short-lived", "d", "re").code == 0
    refused = cli("--do", "short-lived", "d", "delete", stdin="yes\n")
    assert refused.code != 0 and "Domain is not in a deprecated state." in refused.output
    deprecate(cli, "short-lived")
    kept = cli("--do", "short-lived", "d", "delete", stdin="no\n")
    assert kept.code == 0 and "Domain deletion cancelled" in kept.output
    deleted = cli("--do", "short-lived", "d", "delete", stdin="yes\n")
    assert deleted.code == 0, deleted.output
    assert "Domain short-lived successfully deleted." in deleted.output
    gone = cli("--do", "short-lived", "d", "desc")
    assert gone.code != 0 and "Domain short-lived does not exist." in gone.output


def test_failover_of_a_local_domain_is_refused(cli: Cli) -> None:
    assert cli("--do", "stays-here", "d", "re", "--gd", "false").code == 0
    failover = cli("--do", "stays-here", "d", "fo", "--ac", "cluster1")
    assert failover.code != 0
    assert "Local domains cannot perform failovers" in failover.output, failover.output


def test_deprecate_terminates_the_open_workflows(cli: Cli) -> None:
    assert cli("--do", "retiring", "d", "re").code == 0
    started = cli("--do", "retiring", "wf", "start", "--tl", "nobody-polls", "--wt", "W",
                  "--et", "600", "--wid", "left-open")
    assert started.code == 0, started.output
    deadline = time.monotonic() + 30
    while "left-open" not in cli("--do", "retiring", "wf", "list", "--open").output:
        assert time.monotonic() < deadline, "the run never showed in visibility"
        time.sleep(0.2)
    deprecate(cli, "retiring")
    deadline = time.monotonic() + 30
    while True:
        show = cli("--do", "retiring", "wf", "show", "--wid", "left-open")
        if "WorkflowExecutionTerminated" in show.output:
            break
        assert time.monotonic() < deadline, show.output
        time.sleep(0.2)
    assert "Identity:cadence-sys-batch-workflow" in show.output  # reason: "domain is deprecated"
    refused = cli("--do", "retiring", "wf", "start", "--tl", "t", "--wt", "W", "--et", "60")
    assert refused.code != 0

