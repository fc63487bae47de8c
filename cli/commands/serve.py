"""`mutasi serve`, `mutasi keys ...`, `mutasi audit` and `mutasi demo-serve`.

The serving package is imported inside the commands: the CLI starts fast and the other
commands never load FastAPI.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.commands import get_settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine

keys_app = typer.Typer(help="Kunci API: buat, cabut, daftar / API keys: create, revoke, list.")

HostOpt = Annotated[str, typer.Option(help="Alamat / Address to bind")]
PortOpt = Annotated[int, typer.Option(help="Port")]


def _engine() -> Engine:
    from serving.db import make_engine

    return make_engine(get_settings().db_url)


def _run(app: FastAPI | str, *, host: str, port: int, **options: Any) -> None:
    import uvicorn

    # uvicorn's access log prints concrete paths (NIPs); the app logs route templates instead.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="info", **options)


# uvicorn kills a worker that does not answer its supervisor's ping within this many seconds
# (default 5). Loading the model and snapshot holds the GIL for long stretches (unpickling,
# pandas), so on a loaded machine healthy workers missed the ping and were killed and restarted
# forever: the two-worker server never became ready. A hung worker is now replaced later.
WORKER_HEALTHCHECK_SECONDS = 300

WorkersOpt = Annotated[
    int,
    typer.Option(
        min=1,
        help="Proses pekerja; tiap proses memuat model sendiri / Worker processes, each loads "
        "its own copy (Python runs one request's pandas work at a time per process)",
    ),
]


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: treat as a network address
        return False


def _decide_api_docs(host: str) -> None:
    """/docs and /openapi.json: on a loopback address by default, off on a network address,
    unless MUTASI_API_DOCS says otherwise (set in the environment so every worker agrees)."""
    if "MUTASI_API_DOCS" not in os.environ:
        os.environ["MUTASI_API_DOCS"] = "true" if _is_loopback(host) else "false"
        from pipelines.settings import get_settings as cached_settings

        cached_settings.cache_clear()


def serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000, workers: WorkersOpt = 1) -> None:
    """Serve the @champion model on the current snapshot (HTTP API, /docs on 127.0.0.1)."""
    _decide_api_docs(host)
    _engine().dispose()  # migrate the database once, before any worker starts
    if workers > 1:
        # Each worker builds the app from the environment (MUTASI_*), as `serve` does.
        _run(
            "serving.app:create_app",
            host=host,
            port=port,
            factory=True,
            workers=workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
        return
    from serving.app import create_app

    _run(create_app(get_settings()), host=host, port=port)


def keys_create(
    role: Annotated[str, typer.Option(help="hr, planner, data, admin atau/or pegawai")],
    name: Annotated[str, typer.Option(help="Label kunci (unik) / Key label (unique)")],
    nip: Annotated[
        str | None,
        typer.Option(help="NIP pegawai (wajib untuk --role pegawai) / The employee's NIP"),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            help="unit_id: kunci hr kepala unit, hanya kandidat unit ini / "
            "a unit head's hr key, only this unit's candidates"
        ),
    ] = None,
) -> None:
    """Create an API key and print it once: only its salted hash is stored. A pegawai key is
    bound to one NIP and opens only that employee's consultation; an hr key with --unit ranks
    and sees only the consultation candidates for that unit's posts."""
    from serving.auth import create_key

    key = create_key(_engine(), role=role, label=name, nip=nip, unit=unit)
    typer.echo(key)
    typer.echo(
        "Simpan kunci ini sekarang; tidak akan ditampilkan lagi / "
        "Store this key now; it will not be shown again",
        err=True,
    )


def keys_revoke(name: Annotated[str, typer.Option(help="Label kunci / Key label")]) -> None:
    """Revoke the key with this label."""
    from serving.auth import revoke_key

    revoke_key(_engine(), label=name)
    typer.echo(f"dicabut / revoked: {name}")


def keys_list() -> None:
    """List keys: label, role, created, revoked (never the key)."""
    from serving.auth import list_keys

    for info in list_keys(_engine()):
        revoked = info.revoked_at.isoformat() if info.revoked_at else "-"
        scope = f"\tunit={info.unit_id}" if info.unit_id else ""
        typer.echo(
            f"{info.label}\t{info.role.value}\t{info.created_at.isoformat()}\t{revoked}{scope}"
        )


def audit(
    since: Annotated[str, typer.Option(help="Sejak tanggal / Since date (YYYY-MM-DD)")],
    out: Annotated[Path | None, typer.Option(help="Berkas CSV / CSV file (default stdout)")] = None,
) -> None:
    """Export the audit trail since a date as CSV."""
    from models.contract.errors import MutasiError
    from serving.audit import AuditTrail

    try:
        start = datetime.combine(date.fromisoformat(since), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        raise MutasiError(
            f"--since bukan tanggal YYYY-MM-DD: {since} / --since is not a YYYY-MM-DD date: {since}"
        ) from None
    trail = AuditTrail(_engine())
    if out is None:
        trail.export_csv(sys.stdout, since=start)
        return
    count = trail.export_file(out, since=start)
    typer.echo(f"{count} catatan / records -> {out}", err=True)


def demo_serve(host: HostOpt = "127.0.0.1", port: PortOpt = 8000) -> None:
    """For `make demo`: load, create an admin key, print it with a curl line, then serve."""
    from serving.demo import prepare_demo

    _decide_api_docs(host)
    settings = get_settings()
    demo = prepare_demo(settings, host=host, port=port)
    for line in demo.lines:
        typer.echo(line)
    from serving.app import create_app

    _run(create_app(settings, initial_state=demo.state), host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("audit")(audit)
    app.command("demo-serve")(demo_serve)
    keys_app.command("create")(keys_create)
    keys_app.command("revoke")(keys_revoke)
    keys_app.command("list")(keys_list)
    app.add_typer(keys_app, name="keys")
