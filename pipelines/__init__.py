"""I/O and orchestration: readers, ingest and snapshots, training, evaluation, registry, plans."""
