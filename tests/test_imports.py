"""The house's import rules, read from the source: no import loop anywhere, lazy or not, and
every import points down the layers (README, "Architecture").

Imports are read with `ast`, wherever they stand (module level, inside functions, under
TYPE_CHECKING), and an import of `a.b.c` also counts as importing the packages `a.b` and `a`
that Python runs on the way, unless the importer is inside them already. The one exemption
is the composition root: `create_app` in `helpdesk/__init__.py` imports what it wires
together inside the function, and nothing imports it back.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from helpdesk.config import PROJECT_ROOT

PACKAGES = ("helpdesk", "mail_gateway")
COMPOSITION_ROOT = "helpdesk"
# Top to bottom; a module belongs to the longest prefix listed. A module may import its own
# layer and the layers below it, never a layer above.
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "helpdesk.cli",
        "helpdesk.__main__",
        "helpdesk.background",
        "helpdesk.worker",
        "helpdesk.demo",
        "helpdesk.kb.cli",
        "helpdesk.sla.cli",
        "helpdesk.reports.cli",
        "mail_gateway.cli",
        "mail_gateway.__main__",
    ),
    ("helpdesk.web", "helpdesk.api"),
    ("mail_gateway",),
    ("helpdesk.notify",),
    (
        "helpdesk.incidents",
        "helpdesk.accounts",
        "helpdesk.api_tokens",
        "helpdesk.alerts",
        "helpdesk.idempotency_keys",
        "helpdesk.directory",
        "helpdesk.kb",
        "helpdesk.sla_policies",
        "helpdesk.automation",
        "helpdesk.webhooks",
        "helpdesk.major_incidents",
        "helpdesk.problems",
        "helpdesk.changes",
        "helpdesk.reviews",
        "helpdesk.reports",
        "helpdesk.history",
    ),
    ("helpdesk.reads",),
    (
        "helpdesk.core",
        "helpdesk.access",
        "helpdesk.addresses",
        "helpdesk.bounds",
        "helpdesk.channels",
        "helpdesk.permissions",
        "helpdesk.priority",
        "helpdesk.promises",
        "helpdesk.references",
        "helpdesk.sla",
        "helpdesk.measures",
    ),
    ("helpdesk.models", "helpdesk.lifecycle", "helpdesk.extensions", "helpdesk.config"),
)


@cache
def modules() -> dict[str, Path]:
    """Every module of the two packages by dotted name (migrations are scripts, not modules)."""
    found = {}
    for package in PACKAGES:
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:size]) for size in range(1, len(parts))]


def _named(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The dotted names one import statement asks for (relative ones made absolute)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        here = module.split(".") if _is_package(module) else module.split(".")[:-1]
        base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
    for alias in node.names:
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base


def _ours(name: str) -> str | None:
    """The module of ours that a dotted name lands in, if any."""
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


def _composition_imports(tree: ast.Module) -> set[int]:
    """Ids of the import nodes inside the composition root's functions."""
    inside = set()
    for function in tree.body:
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {
                id(node)
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            }
    return inside


@cache
def imports() -> dict[str, frozenset[str]]:
    """Module -> the modules of ours that importing it runs (see the module docstring)."""
    graph = {}
    for module, path in modules().items():
        tree = ast.parse(path.read_text(), filename=str(path))
        exempt = _composition_imports(tree) if module == COMPOSITION_ROOT else set()
        own = set(_ancestors(module)) | ({module} if _is_package(module) else set())
        targets: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in exempt:
                continue
            for name in _named(module, node):
                target = _ours(name)
                if target is None or target == module:
                    continue
                targets.add(target)
                targets |= {a for a in _ancestors(target) if a not in own and a in modules()}
        graph[module] = frozenset(targets - {module})
    return graph


def cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> int | None:
    """The layer a module belongs to (longest listed prefix), or None for the root."""
    best: tuple[int, int] | None = None
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[1]):
                best = (number, len(prefix))
    return best[0] if best else None


def test_the_reader_sees_lazy_and_package_imports() -> None:
    graph = imports()
    assert "helpdesk.core.events" in graph["helpdesk.incidents.opening"]
    assert "helpdesk.incidents" in graph["mail_gateway.ingest"]  # the package runs first
    assert "helpdesk.web" not in graph[COMPOSITION_ROOT]  # create_app's wiring is exempt


def test_a_loop_is_found() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert cycles(graph) == [["a", "b", "c"]]


def test_there_is_no_import_loop() -> None:
    assert cycles(imports()) == []


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in modules() if m != COMPOSITION_ROOT and layer_of(m) is None]
    assert unplaced == []


@pytest.mark.parametrize("module", sorted(set(modules()) - {COMPOSITION_ROOT}))
def test_imports_point_down(module: str) -> None:
    own = layer_of(module)
    assert own is not None
    upward = sorted(
        target
        for target in imports()[module]
        if target != COMPOSITION_ROOT and (layer_of(target) or 0) < own
    )
    assert upward == [], f"{module} (layer {own}) imports a layer above it"
