"""The Mutasi HTTP API (FastAPI)."""
