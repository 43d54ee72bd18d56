"""Strawberry types, a group per module; each keeps its ORM row private, built by from_row."""
