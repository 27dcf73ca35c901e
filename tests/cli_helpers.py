"""Running ``reportsvc`` commands in tests: the result, success insisted on, or the one-line refusal."""
from __future__ import annotations

from click.testing import CliRunner, Result

from reportsvc.cli.main import main


def run(runner: CliRunner, *args: str) -> Result:
    """Run ``reportsvc ARGS``."""
    return runner.invoke(main, list(args))


def ok(runner: CliRunner, *args: str) -> Result:
    """Run ``reportsvc ARGS`` and insist that it succeeded."""
    result = run(runner, *args)
    assert result.exit_code == 0, result.output + result.stderr
    return result


def refused(runner: CliRunner, *args: str) -> str:
    """Run ``reportsvc ARGS``, insist on exit 2 with one Vietnamese line on stderr, and return that line."""
    result = run(runner, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: "), result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    return lines[0]
