"""Side-by-side benchmarks of aerospike_py against aerospike-py and the official client.

`python -m benchmark [--quick]` (see README.md in this folder). The package
is the orchestrator; benchmark/workers holds what runs in each client's
interpreter, and benchmark/native_client the C++ floor program.
"""
