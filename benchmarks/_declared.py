"""The benchmarks play several people (a department clerk, a BDC engineer, a reviewer) from one login.

The shipped policy says `identity: os` (the operating-system account is the actor, as in production); a benchmark
runs with a copy that says `identity: declared`, the mode the policy reserves for demos, training and tests, and
points EGOVNET_POLICY at it.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def declared_policy(folder: Path) -> Path:
    """Write the repository's policies.yaml with `identity: declared` into ``folder``; return its path."""
    text = (REPO / "policies.yaml").read_text(encoding="utf-8")
    if "\nidentity: os\n" not in text:
        raise SystemExit(f"{REPO / 'policies.yaml'}: no 'identity: os' line to turn into 'identity: declared'")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "policies.yaml"
    path.write_text(text.replace("\nidentity: os\n", "\nidentity: declared\n"), encoding="utf-8")
    return path
