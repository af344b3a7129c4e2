"""The embedded provider: a deterministic synthetic dataset held in memory (the demo default)."""
