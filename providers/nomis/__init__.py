"""NOMIS (prison system): an adapter over prisoner search and prison-api shapes, and a
simulator of them."""
