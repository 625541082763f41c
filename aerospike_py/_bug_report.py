"""Reporting unexpected internal errors (aerospike-py's ``_bug_report`` helpers).

aerospike-py wraps its client methods with :func:`catch_unexpected`: an
exception that is not an :class:`~aerospike_py.exception.AerospikeError` (a
``TypeError`` from deep inside, say) is logged at ERROR on the
``aerospike_py`` logger with what a bug report needs (versions, platform,
traceback) and then re-raised unchanged. Our client methods are C functions
and need no wrapper; the helpers are here for code that uses them on its own
functions, as aerospike-py's tests and some applications do.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import platform
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aerospike_py.exception import AerospikeError

__all__ = ["catch_unexpected", "log_unexpected_error"]

_logger = logging.getLogger("aerospike_py")
_F = TypeVar("_F", bound=Callable[..., Any])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def log_unexpected_error(context: str, exc: BaseException) -> None:
    """Log ``exc``, raised inside ``context``, as a probable bug of the client.

    One ERROR record on the ``aerospike_py`` logger naming the context, the
    exception's type and message, and a report to file: a one-line title and
    a body with the client and Python versions, the platform and the
    traceback. Meant for errors that are *not* AerospikeErrors.
    """
    from aerospike_py import __version__

    exc_type = type(exc).__name__
    exc_msg = str(exc)
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).strip()
    title = _one_line(f"Unexpected error: {exc_type}: {exc_msg}")[:80]
    body = (
        f"aerospike_py version: {__version__}\n"
        f"Python: {sys.version}\n"
        f"Platform: {platform.platform()}\n"
        f"Context: {context}\n"
        f"Error: {exc_type}: {exc_msg}\n\n"
        f"Traceback:\n{tb}"
    )
    _logger.error(
        "Unexpected internal error in aerospike-py (%s): %s: %s\n\n"
        "This error may be a bug in aerospike-py. Please report it to the aerospike_py "
        "maintainers with this title and body:\n%s\n\n%s",
        context,
        exc_type,
        exc_msg,
        title,
        body,
    )


def _log_if_unexpected(context: str, exc: Exception) -> None:
    if not isinstance(exc, AerospikeError):
        log_unexpected_error(context, exc)


def catch_unexpected(method_name: str) -> Callable[[_F], _F]:
    """Decorator: log non-Aerospike exceptions of the function as bugs, then re-raise.

    Works on plain and ``async`` functions. AerospikeErrors pass through
    without a log record; every exception is re-raised as it was.
    """

    def decorator(func: _F) -> _F:
        if asyncio.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await func(*args, **kwargs)
                except Exception as exc:
                    _log_if_unexpected(method_name, exc)
                    raise

            return cast(_F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                _log_if_unexpected(method_name, exc)
                raise

        return cast(_F, wrapper)

    return decorator
