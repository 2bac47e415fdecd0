"""actlm's modules import in one direction: no module reaches, directly or round about, back to
itself. Every import counts, also one inside a function; importing ``a.b.c`` also runs the
packages ``a.b`` and ``a``, except the importer's own packages (which are running already)."""
from __future__ import annotations

import ast
from pathlib import Path

import actlm

PACKAGE = Path(actlm.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def packages_above(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:k]) for k in range(1, len(parts))]


def imported_names(path: Path, name: str) -> set[str]:
    """Every dotted name an import statement of ``path`` may load (``from x import y``: x and x.y)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    """actlm module -> the actlm modules importing it runs (its own packages left out)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        own = set(packages_above(name)) | {name}
        runs = {m for target in imported_names(path, name) for m in [target, *packages_above(target)]}
        graph[name] = {m for m in runs if m in modules and m not in own}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycles():
    graph = import_graph()
    assert len(graph) > 40 and "actlm.engine.trainer" in graph["actlm.cli.train_cmds"] | graph["actlm.engine"]
    assert cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle_through_a_package_init():
    graph = {"p": {"q.m"}, "q": {"q.m"}, "q.m": {"p"}, "r": set()}
    assert cycles(graph) == [["p", "q.m"]]


def test_the_engine_imports_no_model_family_or_task_above_it():
    graph = import_graph()
    engine = {m for m in graph if m.startswith("actlm.engine")}
    above = ("actlm.reasoner", "actlm.language.slm", "actlm.cli")
    assert not {(m, t) for m in engine for t in graph[m] if t.startswith(above)}
