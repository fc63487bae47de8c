"""I/O and orchestration: ingest and snapshots, demo data, training, registry, the CLI."""
