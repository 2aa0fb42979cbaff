"""The SAM template, checked by the real validators (offline) and by what the translator produces."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


def _sam() -> str | None:
    explicit = os.environ.get("SAM_CLI")
    if explicit and Path(explicit).exists():
        return explicit
    return shutil.which("sam")


def need_sam() -> str:
    """The SAM CLI: required in CI (`make test` installs it), skipped where it is not installed."""
    sam = _sam()
    if sam is None:
        if os.environ.get("CI"):
            pytest.fail("the SAM CLI is not installed; `make test` installs it into .venv-sam")
        pytest.skip("the SAM CLI is not installed (`make test` installs it)")
    return sam


def sam_build(out: Path, *resources: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`sam build` of the template (or of ``resources``) into ``out``/build, with ``env`` added."""
    return subprocess.run(
        [
            need_sam(),
            "build",
            *resources,
            "--build-dir",
            str(out / "build"),
            "--cache-dir",
            str(out / "cache"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0", **env},
        check=False,
        timeout=900,
    )


def test_cfn_lint_is_clean() -> None:
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE)
    assert [str(m) for m in matches] == []


def test_sam_validate_lint_is_clean() -> None:
    sam = need_sam()
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    }
    result = subprocess.run(
        [sam, "validate", "--lint", "--template-file", str(TEMPLATE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout + result.stderr


def test_every_handler_named_by_the_template_exists() -> None:
    text = TEMPLATE.read_text()
    for name in ("interactions", "conversation", "proactive"):
        assert f"CodeUri: functions/{name}" in text
        assert (ROOT / "functions" / name / "app.py").is_file()
        assert (ROOT / "functions" / name / "Makefile").is_file()
