"""Fault tests: corrupted replies through a corrupting proxy."""
