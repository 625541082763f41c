"""aerospike_py: an asyncio-first Aerospike client with a C++ core."""

from aerospike_py import _core

__version__ = "0.1.0"

__all__ = ["__version__", "_core"]
