"""The layout and packaging promises of ARCHITECTURE §2-3."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.support.interactions import FakeContext, load_handler

ROOT = Path(__file__).resolve().parents[2]


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[ ]", r.strip(), maxsplit=1)[0].lower() for r in requirements if r.strip()}


def test_layer_requirements_match_the_project_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = [
        line
        for line in (ROOT / "layers/companion/requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert _names(project) == _names(layer)


def test_every_handler_imports_and_exposes_lambda_handler() -> None:
    for name in ("interactions", "conversation", "proactive"):
        module = load_handler(name)
        assert callable(module.lambda_handler)


def test_the_interactions_handler_does_not_import_the_database_or_model_stacks() -> None:
    app = str(ROOT / "functions/interactions/app.py")
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('app', {app!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        # botocore's bare package is touched by Powertools' user agent; its client machinery must not be.
        "heavy = [m for m in ('sqlalchemy', 'openai', 'boto3', 'botocore.client') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_lc_console_script_is_declared() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["lc"] == "loyal_companion.cli:main"


def test_migration_files_follow_the_naming_rule() -> None:
    for path in (ROOT / "migrations/versions").glob("*.py"):
        assert re.fullmatch(r"\d{8}_\d{4}_[a-z0-9_]+\.py", path.name), path.name


def test_fake_context_is_usable() -> None:
    assert FakeContext().get_remaining_time_in_millis() > 0


# -- the house (ARCHITECTURE.md) -------------------------------------------------------------------------

PACKAGE = ROOT / "layers/companion/loyal_companion"
BENCH = ROOT / "bench"


def _modules() -> list[Path]:
    """The code a reader opens: the package, the handlers and the benchmarks (with their data scripts)."""
    return sorted([*PACKAGE.rglob("*.py"), *(ROOT / "functions").rglob("*.py"), *BENCH.rglob("*.py")])


def test_no_module_is_over_500_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text().splitlines())) > 500}
    assert not long, long


def test_every_module_says_what_it_is_for() -> None:
    import ast

    silent = [str(p.relative_to(ROOT)) for p in _modules() if not ast.get_docstring(ast.parse(p.read_text()))]
    assert not silent, silent


def _imports(path: Path, package: str, modules: set[str]) -> set[str]:
    """The modules of ``package`` that ``path`` imports (anywhere in it, lazy imports included)."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from a import b": the module a.b when there is one, else a
            names = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                for a in node.names
            ]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name == package or name.startswith(package + "."):
                found.add(name)
    return found


def _graph(root: Path, package: str) -> dict[str, set[str]]:
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return {name: _imports(path, package, set(modules)) - {name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_another_in_a_circle() -> None:
    # A package's __init__ that only hands its modules' names on is the package's face, not a room.
    package = {k: {t for t in v if not _is_face(t)} for k, v in _graph(PACKAGE, "loyal_companion").items()}
    assert _cycle(package) is None, _cycle(package)
    benches = _graph(BENCH, "bench")
    assert _cycle(benches) is None, _cycle(benches)


def _is_face(module: str) -> bool:
    return module in ("loyal_companion.db.models", "loyal_companion.service.commands")


def test_no_benchmark_imports_another() -> None:
    shared = {"bench.common", "bench.retrieval", "bench.minilm"}
    for name, targets in _graph(BENCH, "bench").items():
        if name in ("bench", *shared):
            continue  # the registry runs them; what they share imports no benchmark
        assert targets <= shared, f"{name} imports {targets - shared}"
    for name in shared:
        assert _graph(BENCH, "bench")[name] <= shared, name


def test_the_benchmarks_are_not_in_the_shipped_package() -> None:
    assert not list((PACKAGE / "local").glob("bench*.py"))
    makefile = (ROOT / "layers/companion/Makefile").read_text()
    assert 'cp -R loyal_companion "$(ARTIFACTS_DIR)/python/"' in makefile  # bench/ is outside it
