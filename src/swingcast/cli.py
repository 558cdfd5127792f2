"""Command-line interface: every command is a thin wrapper around a public function.

Errors of the :class:`~swingcast.errors.SwingcastError` family are printed on one line
(``swingcast: error: ...``) with exit status 2; ``--debug`` shows the traceback instead.
Each stage registers its commands below, in the order of the data flow.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from swingcast.errors import SwingcastError

app = typer.Typer(
    name="swingcast",
    help="Predict turnout and swing per bureau de vote and rank bureaux for canvassing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STATE = {"debug": False}


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
) -> None:
    """swingcast command line."""
    _STATE["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else (logging.INFO if verbose else logging.WARNING),
        format="%(levelname)s %(name)s: %(message)s",
    )


def _existing_path(value: str) -> Path:
    return Path(value)


# --- commands are registered below this line, one block per stage ------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on a :class:`SwingcastError` (message printed on stderr).

    Examples
    --------
    >>> main(["--help"])  # doctest: +SKIP
    0
    """
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    try:
        app(args=args, prog_name="swingcast", standalone_mode=False)
    except SwingcastError as exc:
        if debug:
            raise
        print(f"swingcast: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # typer/click exits (help, usage errors)
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors arrive as ClickException
        import click

        if isinstance(exc, click.exceptions.Abort):
            print("swingcast: aborted", file=sys.stderr)
            return 1
        if isinstance(exc, click.ClickException):
            exc.show()
            return 2
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
