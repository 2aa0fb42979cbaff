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
