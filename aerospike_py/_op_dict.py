"""The op dicts of :mod:`~aerospike_py.list_operations`,
:mod:`~aerospike_py.map_operations`, :mod:`~aerospike_py.bit_operations` and
:mod:`~aerospike_py.hll_operations`, finished in one place.

An op dict carries only what its caller chose, as aerospike-py's do: an
optional argument left at None (a policy, a count, a bit count, a ctx) and
``inverted=False`` leave no key behind, so the native core's check sees
the same dict whether an argument was omitted or passed as its default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aerospike_py.cdt_ctx import CDTContext
from aerospike_py.policy import Operation

Ctx = Sequence[CDTContext] | None


def op_dict(
    fields: Operation, *, ctx: Ctx = None, inverted: bool = False, **optional: Any
) -> Operation:
    """``fields`` (always kept, None values included: a None ``val`` is a
    nil value) plus ``ctx``, ``inverted`` and every ``optional`` key whose
    value is not None."""
    for key, value in optional.items():
        if value is not None:
            fields[key] = value
    if inverted:
        fields["inverted"] = True
    if ctx is not None:
        fields["ctx"] = ctx
    return fields
