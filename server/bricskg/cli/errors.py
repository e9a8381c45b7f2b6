"""One-line errors for the command line: users get the file and line, never a traceback."""

from __future__ import annotations

import click


class UsageProblem(click.ClickException):
    """A problem the user can fix (bad file, bad format, bad query); printed as one line, exit 2."""

    exit_code = 2
