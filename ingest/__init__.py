"""Turns episode documents into typed records of clinical claims: parse, extract, normalise."""
