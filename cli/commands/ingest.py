"""`mutasi ingest DIR` and `mutasi snapshots`: validated ingestion and the snapshots in use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands import get_settings
from models.contract.errors import MutasiError

if TYPE_CHECKING:
    from pipelines.snapshots import SnapshotInfo


def _fail(error: MutasiError) -> typer.Exit:
    typer.echo(error.message, err=True)
    return typer.Exit(error.exit_code)


MaskOpt = Annotated[
    bool,
    typer.Option(
        "--mask-personal",
        help="Samarkan NIP yang dikutip pesan masalah / Mask the NIPs problem lines quote "
        "(for output that goes to log files)",
    ),
]


LayoutOption = Annotated[
    str | None,
    typer.Option(
        "--layout",
        help="contract or siasn (default: siasn when a SIASN file name is present, else contract).",
    ),
]


MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help="CSV: table, file, column, contract_column (other systems)."),
]


def ingest(
    folder: Annotated[Path, typer.Argument(help="Folder with the agency's export tables.")],
    mask_personal: MaskOpt = False,
    layout: LayoutOption = None,
    mapping: MappingOption = None,
) -> None:
    """Validate an export folder and make it the current data snapshot."""
    from cli.progress import step
    from models.contract.problems import ContractViolation
    from pipelines.ingest import ingest_folder
    from pipelines.snapshots import pinned_snapshot_id

    try:
        with step("validasi dan snapshot / validation and snapshot"):
            info = ingest_folder(folder, settings=get_settings(), layout=layout, mapping=mapping)
    except ContractViolation as violation:  # every located problem, personal values marked
        typer.echo(violation.render(mask_personal=mask_personal), err=True)
        raise typer.Exit(violation.exit_code) from None
    except MutasiError as error:
        raise _fail(error) from None
    if info.reused:
        typer.echo(
            f"Isi sama dengan snapshot {info.id}: dipakai ulang / "
            f"Same content as snapshot {info.id}: reused"
        )
    typer.echo(f"snapshot: {info.id} (aktif / current)")
    pinned = pinned_snapshot_id(get_settings())
    if pinned is not None and pinned != info.id:
        typer.echo(
            f"catatan: snapshot {pinned} disematkan dan tetap dipakai (`mutasi snapshots "
            f"--unpin`) / note: snapshot {pinned} is pinned and stays in use (`mutasi "
            "snapshots --unpin`)"
        )
    typer.echo(f"hash isi / content hash: {info.content_hash}")
    typer.echo(f"tanggal acuan / reference date: {info.reference_date}")
    for table, rows in info.row_counts.items():
        typer.echo(f"  {table:<22} {rows:>10,} baris / rows")
    for notice in info.notices:
        typer.echo(f"catatan / notice: {notice}")


def check(
    folder: Annotated[Path, typer.Argument(help="Folder with the agency's export tables.")],
    report: Annotated[
        Path, typer.Option("--report", help="Where to write the report as XLSX.")
    ] = Path("mutasi-check.xlsx"),
    layout: LayoutOption = None,
    mapping: MappingOption = None,
) -> None:
    """Check an export folder without ingesting it; print the report and save it as XLSX.

    Exit code 0: clean; 1: accepted after normalising, read the notices; 2: rejected."""
    from pipelines.check import CheckStatus, check_folder, write_report

    settings = get_settings()
    try:
        found = check_folder(folder, today=settings.reference_date, layout=layout, mapping=mapping)
        write_report(found, report)
    except MutasiError as error:
        raise _fail(error) from None
    verdict = {
        CheckStatus.CLEAN: "bersih / clean",
        CheckStatus.NORMALISED: "diterima setelah dinormalkan / accepted after normalising",
        CheckStatus.REJECTED: "ditolak / rejected",
    }[found.status]
    result = found.result
    if not result.ok:
        typer.echo(
            f"{result.total_problems} masalah / problems; {len(result.problems)} ditampilkan / "
            "shown:"
        )
    for problem in result.problems:
        typer.echo(str(problem))
    for notice in result.notices:
        typer.echo(f"catatan / notice: {notice}")
    typer.echo(f"hasil / result: {verdict}")
    typer.echo(f"laporan / report: {report}")
    raise typer.Exit(int(found.status))


def _line(info: SnapshotInfo) -> str:
    marks = ("aktif/current " if info.is_current else "") + (
        "disematkan/pinned" if info.is_pinned else ""
    )
    rows = sum(info.row_counts.values())
    return (
        f"{info.id:<28} {info.created_at[:19]:<20} {rows:>12,} {info.content_hash[:12]:<13} "
        f"{marks.strip()}"
    )


def snapshots(
    pin: Annotated[
        str | None, typer.Option("--pin", help="Pin this snapshot id: use it instead of CURRENT.")
    ] = None,
    unpin: Annotated[bool, typer.Option("--unpin", help="Remove the pin.")] = False,
) -> None:
    """List data snapshots (id, created, rows, hash; current and pinned marked); pin or unpin."""
    from pipelines.snapshots import list_snapshots, pin_snapshot

    settings = get_settings()
    try:
        if pin is not None and unpin:
            raise MutasiError("Pilih --pin atau --unpin / Choose --pin or --unpin")
        if pin is not None or unpin:
            pin_snapshot(pin, settings=settings)
            typer.echo(
                f"disematkan / pinned: {pin}"
                if pin
                else "tidak disematkan: CURRENT dipakai / unpinned: CURRENT is in use"
            )
    except MutasiError as error:
        raise _fail(error) from None
    infos = list_snapshots(settings)
    if not infos:
        typer.echo(
            "Belum ada snapshot: jalankan `mutasi ingest DIR` / "
            "No snapshots: run `mutasi ingest DIR`"
        )
        return
    typer.echo(
        f"{'id':<28} {'dibuat/created (UTC)':<20} {'baris/rows':>12} {'hash':<13} dipakai/in use"
    )
    for info in infos:
        typer.echo(_line(info))


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("check")(check)
    app.command("snapshots")(snapshots)
