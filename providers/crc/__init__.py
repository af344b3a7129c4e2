"""A provider-owned store: data a CRC keeps in its own PostgreSQL database (appointments)."""
