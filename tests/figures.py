"""Printing a module's figures (requests fuzzed, load held, faults survived) into the run's log."""

from __future__ import annotations

import pytest


def show(config: pytest.Config, line: str) -> None:
    """Print a figure past pytest's output capture (it belongs in the run's log, not in a failure)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + line)
