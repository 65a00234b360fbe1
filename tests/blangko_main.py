"""`blangko` as a clerk runs it, in the test process: `blangko.cli.main.main()` (which turns a
DomainError into exit 2 and its message on stderr, a database it cannot open into exit 3)
with the arguments and environment given, stdin, stdout and stderr captured, answered as a
finished process. A fresh interpreter for each command cost 1.5 s of imports (10-20 s on a
loaded 2-core machine) in tests that are about what the command answers, not about the
process; tests/integration/test_cli.py keeps real subprocess runs of `python -m blangko`
(exit codes and stderr across the process boundary)."""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from blangko.cli import output, state
from blangko.cli.main import main


def run_blangko(
    *args: str, env: dict[str, str | None] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """`blangko ARGS` with COLUMNS=200 (as the subprocess runs had), ``env`` added and
    ``stdin`` as its input."""
    argv = ["blangko", *args]
    code: int | str | None = 0
    old_argv, old_language = sys.argv, output.language()
    runner = CliRunner()
    # Rich's consoles were made with the test process's width; COLUMNS is read when one is
    # made, so the width is set on them for the run as the variable would have set it.
    width = int({**os.environ, "COLUMNS": "200", **(env or {})}["COLUMNS"])
    consoles = (output.console, output.err_console)
    old_widths = [c._width for c in consoles]  # noqa: SLF001
    with runner.isolation(input=stdin, env={"COLUMNS": "200", **(env or {})}) as (out, err, _):
        sys.argv = argv
        for c in consoles:
            c._width = width  # noqa: SLF001
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.argv = old_argv
            for c, w in zip(consoles, old_widths, strict=True):
                c._width = w  # noqa: SLF001
            output.set_language(old_language)
            if state._context is not None:  # noqa: SLF001 - the run's engine, as the process exit would
                state._context.engine.dispose()  # noqa: SLF001
            state._context = state._settings = None  # noqa: SLF001
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    if isinstance(code, str):
        stderr += code + "\n"
    return subprocess.CompletedProcess(argv, returncode, stdout, stderr)
