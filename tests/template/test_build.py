"""`sam build` on this machine (no Docker, Python 3.11) gives a layer for Lambda's arm64 Python 3.13."""

from __future__ import annotations

from pathlib import Path

from tests.template.test_template import sam_build

ROOT = Path(__file__).resolve().parents[2]


def test_sam_build_makes_a_layer_for_the_target_platform(tmp_path: Path) -> None:
    result = sam_build(tmp_path)
    build = tmp_path / "build"
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    layer = build / "CompanionLayer" / "python"
    assert (layer / "loyal_companion" / "discord" / "endpoint.py").is_file()
    native = [p.name for p in layer.rglob("*.so")]
    assert native, "no compiled extensions at all: the layer cannot be complete"
    wrong = [n for n in native if "x86_64" in n or ("cpython-" in n and "cpython-313-aarch64" not in n)]
    assert wrong == [], wrong
    assert any("cpython-313-aarch64-linux-gnu" in n for n in native)
    assert not list(layer.rglob("__pycache__"))
    # The layer carries only what Lambda runs: not the local stack, its benchmarks or the `lc` command.
    assert not (layer / "loyal_companion" / "local").exists()
    assert not (layer / "loyal_companion" / "cli.py").exists()
    migrate = build / "MigrateFunction"
    assert (migrate / "migrations" / "env.py").is_file() and (migrate / "alembic.ini").is_file()
    for name in ("InteractionsFunction", "ConversationFunction", "ProactiveFunction"):
        assert (build / name / "app.py").is_file()
