"""The native modules' stubs (_core.pyi, _server.pyi) match what the extensions export.

mypy trusts the ``.pyi`` files completely, so a stale stub hides real
mistakes from users' type checks. For every name an extension exports, and
every method of its classes, the stub must declare it with the same
parameter names in the same order (read from the C functions'
``__text_signature__``), and the stub must declare nothing that does not
exist. ``mypy --strict`` over the package and examples/ runs in
scripts/test.sh.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import aerospike_py

PACKAGE = Path(aerospike_py.__file__).parent


def _stub_params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = fn.args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
    return [n for n in names if n not in ("self", "cls")]


def _stub_index(path: Path) -> dict[str, Any]:
    """{function: [param names]} and {class: {method: [param names]}} of a stub.

    Overloads of one function contribute the union of their parameters, in
    order of appearance.
    """
    tree = ast.parse(path.read_text())

    def add(table: dict[str, list[str]], fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        params = table.setdefault(fn.name, [])
        for p in _stub_params(fn):
            if p not in params:
                params.append(p)

    functions: dict[str, list[str]] = {}
    classes: dict[str, dict[str, list[str]]] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            add(functions, node)
        elif isinstance(node, ast.ClassDef):
            methods = classes.setdefault(node.name, {})
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    add(methods, item)
    return {"functions": functions, "classes": classes}


def _runtime_params(obj: Any) -> list[str] | None:
    """Parameter names from the C docstring's signature line; None if it has none."""
    text = getattr(obj, "__text_signature__", None)
    if not text:
        return None
    text = text.replace("$self, ", "").replace("$self", "").replace("$module, ", "")
    params = []
    for part in text.strip("()").split(","):
        name = part.strip().split("=")[0].strip().lstrip("*")
        if name and name not in ("/", "$module", "$type"):
            params.append(name)
    return params


def _exported(module: ModuleType) -> dict[str, Any]:
    return {n: getattr(module, n) for n in dir(module) if not n.startswith("__")}


# _core's functions all carry signature lines; _server's are checked where they do.
@pytest.mark.parametrize(
    ("module_name", "signatures_required"),
    [("aerospike_py._core", True), ("aerospike_py._server", False)],
)
def test_stub_declares_exactly_what_the_extension_exports(
    module_name: str, signatures_required: bool
) -> None:
    module = importlib.import_module(module_name)
    stub = _stub_index(PACKAGE / f"{module_name.rsplit('.', 1)[1]}.pyi")
    runtime = _exported(module)
    runtime_functions = {n: f for n, f in runtime.items() if callable(f) and not isinstance(f, type)}
    runtime_classes = {n: c for n, c in runtime.items() if isinstance(c, type)}

    assert sorted(stub["functions"]) == sorted(runtime_functions), "module-level functions"
    def check(declared: list[str], obj: Any, what: str) -> None:
        params = _runtime_params(obj)
        if params is None:
            # Underscore helpers for tests may go without a signature line.
            public = not what.rsplit(".", 1)[1].startswith("_")
            assert not (signatures_required and public), f"{what} has no signature line"
            return
        assert declared == params, what

    for name, fn in runtime_functions.items():
        check(stub["functions"][name], fn, f"{module_name}.{name}")

    assert sorted(stub["classes"]) == sorted(runtime_classes), "classes"
    for cls_name, cls in runtime_classes.items():
        members = {n: m for n, m in vars(cls).items() if not n.startswith("__")}
        declared = {n: p for n, p in stub["classes"][cls_name].items() if not n.startswith("__")}
        assert sorted(declared) == sorted(members), f"methods and properties of {cls_name}"
        methods = {n: m for n, m in members.items() if callable(m)}
        for name, method in methods.items():
            check(declared[name], method, f"{module_name}.{cls_name}.{name}")
