"""nDelius (probation case system): an adapter over community-api and probation search shapes,
and a simulator of them."""
