"""Mutasi's pure domain core, in four wings stacked contract ← features ← scoring ← planning.

No file, network or MLflow I/O: functions and scikit-learn-style estimators over DataFrames.
"""
