"""Backend adapters behind one small batch-first protocol (see `providers.base`)."""
