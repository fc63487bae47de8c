"""The leaders' report of a post-move review: report.html (charts as embedded PNG, nothing
loaded from outside) and report.xlsx (one sheet per table), Indonesian first.

Charts use matplotlib's object API (`Figure`, no pyplot), as pipelines/figures.py does.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from models.planning.review import MOVE_COLUMNS
from pipelines.review_result import ReviewResult

FLAG_WORDS: dict[str, str] = {
    "below_expectation": "di bawah harapan / below expectation",
    "as_expected": "sesuai harapan / as expected",
    "above_expectation": "di atas harapan / above expectation",
    "awaiting_skp": "menunggu SKP / awaiting SKP",
}
STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;font-size:13px;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
    "th{background:#eef}td:first-child,th:first-child{text-align:left}"
    ".en{color:#666;font-size:0.85em}.verdict{font-size:1.3em;font-weight:bold}"
)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="grafik / chart" src="data:image/png;base64,{data}">'


def predicted_vs_actual_figure(moves: pd.DataFrame) -> Figure:
    """Actual post-move rating against the predicted fit of each move (jittered dots)."""
    known = moves.loc[moves["actual_fit"].notna()]
    figure = Figure(figsize=(5, 4.5))
    axes = figure.subplots()
    jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(known))
    axes.scatter(known["predicted_fit"], known["actual_fit"] + jitter, s=6, alpha=0.4)
    axes.plot([1, 5], [1, 5], linestyle="--", color="grey")
    axes.set_xlabel("perkiraan / predicted fit")
    axes.set_ylabel("SKP sesudah pindah / actual rating")
    axes.set_title("Perkiraan vs kenyataan / Predicted vs actual")
    figure.tight_layout()
    return figure


NO_RELIABLE_EFFECT = (
    "Belum ada perkiraan dampak yang andal (n < 30 di setiap kelompok) / "
    "No reliable effect estimate yet (n < 30 in every cohort)"
)


def reliable_effects(programme: pd.DataFrame) -> pd.DataFrame:
    """The rows with an estimate, units left out (they crowd the chart; the table has them)."""
    return programme.loc[programme["effect"].notna() & ~programme["cohort"].str.startswith("unit")]


def effects_figure(programme: pd.DataFrame) -> Figure:
    """Each reliable effect (not by unit) with its 95 % interval."""
    rows = reliable_effects(programme)
    figure = Figure(figsize=(7, 0.4 * max(len(rows), 3) + 1))
    axes = figure.subplots()
    labels = [f"{q}: {c}" for q, c in zip(rows["question"], rows["cohort"], strict=True)]
    y = np.arange(len(rows))
    errors = [rows["effect"] - rows["ci_low"], rows["ci_high"] - rows["effect"]]
    axes.errorbar(rows["effect"], y, xerr=errors, fmt="o", capsize=3)
    axes.axvline(0.0, color="grey", linestyle="--")
    axes.set_yticks(y, labels, fontsize=7)
    axes.set_title("Dampak program (IK 95 %) / Programme effects (95 % CI)")
    figure.tight_layout()
    return figure


def balance_figure(units: pd.DataFrame, *, top: int = 15) -> Figure:
    """Shortage before and after for the units whose balance changed most."""
    change = (units["shortage_after"] - units["shortage_before"]).abs()
    chosen = units.loc[change.sort_values(ascending=False).index[:top]]
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    x = np.arange(len(chosen))
    axes.bar(x - 0.2, chosen["shortage_before"], width=0.4, label="sebelum / before")
    axes.bar(x + 0.2, chosen["shortage_after"], width=0.4, label="sesudah / after")
    axes.set_xticks(x, chosen["unit_id"], rotation=60, fontsize=7)
    axes.set_ylabel("kekurangan pegawai (ABK) / shortage")
    axes.set_title("Keseimbangan unit / Unit balance")
    axes.legend()
    figure.tight_layout()
    return figure


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, na_rep="", float_format=lambda v: f"{v:.3f}", border=0)


def _section(title_id: str, title_en: str, body: str) -> str:
    return (
        f'<h2>{html.escape(title_id)} <span class="en">/ {html.escape(title_en)}</span></h2>{body}'
    )


def _summary(result: ReviewResult) -> pd.DataFrame:
    counts = result.flag_counts()
    rows = [
        ("Jendela / Window", f"{result.window.since} s.d. / to {result.window.until}"),
        ("Versi model / Model version", result.model_version),
        ("Snapshot", result.snapshot_id),
        ("Mutasi / Moves", str(len(result.moves))),
        *((FLAG_WORDS[f], str(counts.get(f, 0))) for f in FLAG_WORDS),
        ("Putusan pemantauan / Monitoring verdict", result.verdict),
    ]
    return pd.DataFrame(rows, columns=["butir / item", "nilai / value"])


def report_html(result: ReviewResult) -> str:
    """One self-contained Indonesian page: summary, charts, the tables leaders read."""
    reasons = result.monitoring.loc[result.monitoring["section"] == "verdict", "note"]
    why = html.escape(str(reasons.iloc[0])) if len(reasons) and reasons.iloc[0] else ""
    below = result.moves.loc[result.moves["flag"] == "below_expectation", list(MOVE_COLUMNS)]
    parts = [
        "<h1>Evaluasi pascamutasi <span class='en'>/ Post-move review</span></h1>",
        _table(_summary(result)),
        f'<p class="verdict">{html.escape(result.verdict)}</p><p>{why}</p>',
        _section(
            "Perkiraan dan kenyataan",
            "Predicted and actual",
            _png(predicted_vs_actual_figure(result.moves)),
        ),
        _section(
            "Pegawai di bawah harapan: pendampingan dan pelatihan",
            "Below expectation: coaching and training",
            _table(below),
        ),
        _section(
            "Dampak program",
            "Programme impact",
            (
                _png(effects_figure(result.programme))
                if len(reliable_effects(result.programme))
                else f"<p>{html.escape(NO_RELIABLE_EFFECT)}</p>"
            )
            + _table(result.programme),
        ),
        _section(
            "Unit sebelum dan sesudah",
            "Units before and after",
            _png(balance_figure(result.units)) + _table(result.units),
        ),
        _section("Pemantauan model", "Model monitoring", _table(result.monitoring)),
    ]
    return (
        '<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
        f"<title>Evaluasi pascamutasi / Post-move review</title><style>{STYLE}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def write_report(result: ReviewResult, out_dir: Path) -> list[Path]:
    """report.html and report.xlsx in `out_dir`."""
    page = out_dir / "report.html"
    page.write_text(report_html(result), encoding="utf-8")
    book = out_dir / "report.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        _summary(result).to_excel(writer, sheet_name="Ringkasan", index=False)
        result.moves[list(MOVE_COLUMNS)].to_excel(writer, sheet_name="Mutasi", index=False)
        result.units.to_excel(writer, sheet_name="Unit", index=False)
        result.programme.to_excel(writer, sheet_name="Dampak program", index=False)
        result.monitoring.to_excel(writer, sheet_name="Pemantauan", index=False)
    return [page, book]
