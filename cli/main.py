"""The `mutasi` command line: one typer app; each area registers its own commands.

Errors meant for users (`MutasiError`) are printed as one clear message with a non-zero exit;
anything unexpected is logged with its traceback to the data home's log file and reported in one
line, so that no traceback reaches a user.
"""

from __future__ import annotations

import logging
import sys
import traceback
from datetime import datetime

import typer

from models.contract.errors import MutasiError

app = typer.Typer(
    name="mutasi",
    help="Mutasi: transfer planning for civil services (mutasi ASN).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Mutasi: transfer planning for civil services (mutasi ASN)."""


# Command modules register themselves on `app`; keep one import per area, sorted.
from cli.commands import get_settings, register_all  # noqa: E402

register_all(app)


def _log_unexpected(exc: BaseException) -> str:
    log_dir = get_settings().home / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "errors.log"
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write(f"--- {datetime.now().isoformat()} {type(exc).__name__}\n")
        handle.write("".join(traceback.format_exception(exc)))
    return str(log_file)


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic announces every plugin and migration step at INFO on each start; only its
    # warnings are worth a line in the service's output.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        app()  # standalone: usage errors are shown by typer itself and exit 2
    except MutasiError as exc:
        typer.echo(exc.message, err=True)
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # last resort: the user gets a line, the log gets the traceback
        where = _log_unexpected(exc)
        typer.echo(
            f"Kesalahan internal / Internal error ({type(exc).__name__}); "
            f"detail di / details in {where}",
            err=True,
        )
        sys.exit(1)
