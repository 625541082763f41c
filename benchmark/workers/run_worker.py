"""Entry point of a benchmark worker: `python run_worker.py`.

Run by the orchestrator with a client's interpreter, with this directory
(not the repository root) first on sys.path, so that `aerospike_py` resolves
to whatever that virtualenv installed. Speaks the line protocol of
aspy_bench/rpc.py on stdin/stdout.
"""

import sys

from aspy_bench.rpc import main  # type: ignore[import-not-found,unused-ignore]

if __name__ == "__main__":
    sys.exit(main())
