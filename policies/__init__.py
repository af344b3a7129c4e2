"""Field-level authorisation as data: row filters and field rules per organisation type."""
