"""Concurrency and lifecycle tests of the client (cancellation, close, fork, loops, clusters)."""
