"""A benchmark run on the tree as it was (``LC_BENCH_BEFORE=REF lc bench NAME``), beside this tree's run.

The same benchmark in a git worktree of REF, with this interpreter and that tree's own package and
benchmarks, printed line by line before this tree's run: figures of the same run of the same machine, to be
compared as ratios. Not a benchmark itself (``bench/__init__.py`` calls it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

Report = Callable[[str], None]


def run_before(ref: str, name: str, report: Report) -> int:
    """`lc bench NAME` as the tree at ``ref`` prints it; its exit status."""
    from loyal_companion.local.functions import repo_root

    root = repo_root()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "before"
        subprocess.run(
            ["git", "-C", str(root), "worktree", "add", "--detach", "-q", str(tree), ref], check=True
        )
        try:
            env = {k: v for k, v in os.environ.items() if k != "LC_BENCH_BEFORE"}
            env["PYTHONPATH"] = str(tree / "layers" / "companion")
            report(f"-- {name} on {ref} (a git worktree of it), then on this tree --")
            process = subprocess.Popen(
                [sys.executable, "-m", "loyal_companion.cli", "bench", name],
                cwd=tree,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            assert process.stdout is not None
            for line in process.stdout:
                report(f"[{ref}] {line.rstrip()}")
            return process.wait()
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)], check=False)
