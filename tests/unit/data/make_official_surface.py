"""Write official_client_surface.json: the official client's exception names.

aerospike_py offers every exception name of the official ``aerospike`` client
(as an alias or subclass of its own classes) so ported code keeps working.
CI has no official client install, so its names are recorded here. Re-run after
upgrading the reference version:

    /opt/venv-official/bin/python tests/unit/data/make_official_surface.py

The output maps each exception name of ``aerospike.exception`` to its class
attribute ``code`` (None where the class has none) and its base class names.
"""

from __future__ import annotations

import inspect
import json
import pathlib
from importlib.metadata import version

import aerospike.exception as official_exc


def main() -> None:
    exceptions = {}
    for name, obj in sorted(vars(official_exc).items()):
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            exceptions[name] = {
                "code": getattr(obj, "code", None),
                "bases": [b.__name__ for b in obj.__bases__],
            }
    surface = {
        "generator": "tests/unit/data/make_official_surface.py",
        "aerospike_version": version("aerospike"),
        "exceptions": exceptions,
    }
    out = pathlib.Path(__file__).resolve().parent / "official_client_surface.json"
    out.write_text(json.dumps(surface, indent=1) + "\n")
    print(f"wrote {out}: {len(exceptions)} exception classes")


if __name__ == "__main__":
    main()
