"""Mutasi domain core: schemas, point-in-time features, estimators, policy, plans. No I/O."""
