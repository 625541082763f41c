"""Write aerospike_py_surface.json: a snapshot of aerospike-py's public surface.

aerospike_py must match the public API of aerospike-py (PyPI ``aerospike-py``).
CI has no aerospike-py install, so the facts the unit tests compare against are
recorded here once. Re-run after upgrading the reference version:

    cd /tmp && /opt/venv-aspy-rust/bin/python \\
        /work/main/tests/unit/data/make_aerospike_py_surface.py

(run it from a directory other than the package's, since aerospike-py and
this project share the import name ``aerospike_py``). The output records:
the package's ``__all__``; every upper-case constant and its value; every
exception class with its direct bases (and which names are aliases of which
class); every NamedTuple with its fields and defaults; every TypedDict with its
keys and totality.
"""

from __future__ import annotations

import json
import pathlib
import sys
import typing
import warnings
from importlib.metadata import version


def _is_typeddict(obj: object) -> bool:
    check = getattr(typing, "is_typeddict", None)  # CPython 3.10+
    if check is not None:
        return isinstance(obj, type) and bool(check(obj))
    return (isinstance(obj, type) and issubclass(obj, dict) and hasattr(obj, "__total__")
            and hasattr(obj, "__annotations__"))


def _is_namedtuple(obj: object) -> bool:
    return isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields")


def main() -> None:
    here = pathlib.Path(__file__).resolve().parent
    if pathlib.Path.cwd().resolve() in (here.parents[2], here.parents[2] / "aerospike_py"):
        sys.exit("run this from another directory (e.g. /tmp)")
    import aerospike_py
    import aerospike_py._types as aspy_private_types
    import aerospike_py.exception as aspy_exc
    import aerospike_py.types as aspy_types

    constants = {n: getattr(aerospike_py, n) for n in dir(aerospike_py) if n.isupper()}

    exc_names = set(aspy_exc.__all__) | {"TimeoutError", "IndexError"}
    exceptions: dict[str, dict[str, object]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in sorted(exc_names):
            cls = getattr(aspy_exc, name)
            entry: dict[str, object] = {"bases": [b.__name__ for b in cls.__bases__]}
            if cls.__name__ != name:
                entry["alias_of"] = cls.__name__
            exceptions[name] = entry

    namedtuples = {}
    typeddicts = {}
    for module in (aspy_types, aspy_private_types):
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if _is_namedtuple(obj):
                namedtuples[name] = {
                    "fields": list(obj._fields),
                    "defaults": {k: repr(v) for k, v in obj._field_defaults.items()},
                }
            elif _is_typeddict(obj):
                typeddicts[name] = {
                    "module": module.__name__,
                    "total": obj.__total__,
                    "keys": sorted(obj.__annotations__),
                    "required": sorted(obj.__required_keys__),
                }

    surface = {
        "generator": "tests/unit/data/make_aerospike_py_surface.py",
        "aerospike_py_version": version("aerospike-py"),
        "package_all": sorted(aerospike_py.__all__),
        "exception_all": sorted(aspy_exc.__all__),
        "types_all": sorted(
            n
            for n, obj in vars(aspy_types).items()
            if not n.startswith("_") and n[0].isupper() and getattr(typing, n, None) is not obj
        ),
        "constants": dict(sorted(constants.items())),
        "exceptions": exceptions,
        "namedtuples": dict(sorted(namedtuples.items())),
        "typeddicts": dict(sorted(typeddicts.items())),
    }
    out = here / "aerospike_py_surface.json"
    out.write_text(json.dumps(surface, indent=1, sort_keys=False) + "\n")
    print(f"wrote {out}: {len(constants)} constants, {len(exceptions)} exceptions, "
          f"{len(namedtuples)} NamedTuples, {len(typeddicts)} TypedDicts")


if __name__ == "__main__":
    main()
