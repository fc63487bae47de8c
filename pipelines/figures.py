"""Evaluation figures logged with each training run.

Built with matplotlib's object API (`Figure`, no pyplot): no global backend or figure state.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure


def calibration_figure(tables: dict[str, pd.DataFrame]) -> Figure:
    """Reliability diagram: observed resistance rate against predicted risk, per model."""
    figure = Figure(figsize=(5, 5))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for name, table in tables.items():
        axes.plot(table["predicted"], table["observed"], marker="o", label=name)
    axes.set_xlabel("predicted risk")
    axes.set_ylabel("observed resistance rate")
    axes.set_title("Risk calibration on held-out transfers")
    axes.legend(loc="upper left")
    figure.tight_layout()
    return figure


def importance_figure(importance: pd.DataFrame, *, top: int = 15) -> Figure:
    """Horizontal bars of total gain per feature for the fit and the risk model."""
    figure = Figure(figsize=(10, 5))
    fit_axes, risk_axes = figure.subplots(1, 2)
    for axes, column, title in ((fit_axes, "fit_gain", "fit"), (risk_axes, "risk_gain", "risk")):
        best = importance.nlargest(top, column).iloc[::-1]
        axes.barh(best["feature"], best[column])
        axes.set_title(f"{title}: total gain")
    figure.tight_layout()
    return figure
