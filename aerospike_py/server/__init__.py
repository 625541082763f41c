"""The embedded Aerospike-compatible server, as a program.

``python -m aerospike_py.server --port 3000 [--nodes 3] [--namespace test ...]``
runs it until SIGINT or SIGTERM. To embed it in a program or a test, use
:class:`aerospike_py.testing.EmbeddedServer`.
"""

from aerospike_py.testing import EmbeddedServer

__all__ = ["EmbeddedServer"]
