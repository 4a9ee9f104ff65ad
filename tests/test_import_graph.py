"""The modules of the project import each other without cycles, and the archive never reaches into search.

Read from the source (``ast``), so every module counts, including those no test imports:
an edge is an import at module level (imports inside functions run later and cannot
leave a module half-initialised). One fresh interpreter then imports every module, in
an order where each one is the first of its package to load.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "search", "config", "bench")


def project_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "cache" in path.relative_to(REPO).parts or "." in path.stem:
                continue  # the benchmark's cached corpora; files read by path (gunicorn.conf.py)
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imports(tree: ast.Module, module: str, is_package: bool, modules: dict, *, top_level: bool) -> set[str]:
    nodes = tree.body if top_level else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    edges = set()
    for name in names:
        # The longest project module the name starts with ("search.query.parse_query" -> "search.query").
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            candidate = ".".join(parts[:end])
            if candidate in modules:
                edges.add(candidate)
                break
        else:
            edges.add(name)  # outside the project (django, whoosh, numpy, …)
    edges.discard(module)
    return edges


def graph(*, top_level: bool) -> dict[str, set[str]]:
    modules = project_modules()
    return {
        module: _imports(ast.parse(path.read_text("utf-8")), module, path.name == "__init__.py", modules,
                         top_level=top_level)
        for module, path in modules.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in edges:
                continue
            if state.get(target) == "open":
                found.append([*stack[stack.index(target):], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_no_module_imports_form_a_cycle():
    assert cycles(graph(top_level=True)) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_archive_never_imports_search_or_whoosh_even_inside_functions():
    for module, targets in graph(top_level=False).items():
        if module.split(".")[0] == "archive":
            reached = {t for t in targets if t.split(".")[0] in {"search", "whoosh"}}
            assert not reached, f"{module} imports {sorted(reached)}"


def test_search_views_take_listing_helpers_from_the_neutral_module_not_from_archive_views():
    assert "archive.views" not in graph(top_level=False)["search.views"]
    assert "archive.listing" in graph(top_level=True)["search.views"]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_every_module_imports_in_a_fresh_interpreter(database):
    # Each module is imported with nothing of the project loaded before it except what Django
    # itself loads for the apps (settings, models, apps.py): a cycle would surface as an ImportError.
    # With PostgreSQL configured nothing loads Django's SQLite backend first, as on a production server
    # (no connection is made: importing needs none).
    names = [m for m in project_modules() if not m.startswith("bench.stock_whoosh")]
    script = (
        "import importlib, os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "import django\ndjango.setup()\n"
        "loaded = set(sys.modules)\n"
        f"for name in {names!r}:\n"
        f"    for other in [m for m in sys.modules if m not in loaded and m.split('.')[0] in {PACKAGES!r}]:\n"
        "        del sys.modules[other]\n"
        "    importlib.import_module(name)\n"
        "print('ok')\n"
    )
    env = dict(os.environ)
    env["DATABASE_URL"] = ("postgres://nobody@127.0.0.1:9/none" if database == "postgres"
                           else f"sqlite:///{REPO / 'no-such-folder' / 'db.sqlite3'}")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")


def test_the_query_module_parses_and_leaves_running_suggesting_and_relating_to_their_own_modules():
    # search.query turns text into a query; it never reaches the index, the database or the engine.
    reached = graph(top_level=False)["search.query"]
    assert not reached & {"search.index", "search.engine", "search.facets", "archive.models", "search.service"}
    assert {"search.query"} <= graph(top_level=True)["search.service"]
    assert "search.service" in graph(top_level=True)["search.related"]
