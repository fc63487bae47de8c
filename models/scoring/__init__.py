"""Scoring: eligibility policy, fit and risk estimators, calibration, baselines, metrics."""
