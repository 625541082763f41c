"""Scripts run by the clients' interpreters (see aspy_bench/)."""
