"""Test helpers: the embedded server and the pytest plugin (entry point pytest11)."""
