"""What shell completion reads: cheap, never an error (a completion that fails completes nothing)."""

from __future__ import annotations

import os
from pathlib import Path


def device_names(inventory: str | None = None) -> list[str]:
    """The device names of an inventory.yaml, read without validating it (completion must stay fast)."""
    import yaml

    folder = Path(inventory or os.environ.get("EGOVNET_INVENTORY") or "inventory").expanduser()
    try:
        with open(folder / "inventory.yaml", encoding="utf-8") as f:
            data = yaml.safe_load(f)
        return [str(name) for name in (data.get("devices") or {})]
    except Exception:  # noqa: BLE001 - a missing or broken file completes nothing; 'inventory check' says why
        return []
