"""Benchmark workers: the code that runs inside each client's virtualenv.

Imports only the standard library at module level (plus the client library,
FastAPI, uvicorn and the model's framework where a command needs them), and
never the repository root, because there `aerospike_py` would be our package
even in aerospike-py's virtualenv.
"""
