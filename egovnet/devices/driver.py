"""The driver protocol every platform speaks, and the per-device result of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class DeviceDriver(Protocol):
    def open(self) -> None: ...
    def running_config(self) -> str: ...
    def show(self, command: str) -> str: ...
    def configure(self, commands: list[str]) -> str: ...
    def discard(self) -> None: ...
    def save(self) -> None: ...
    def saved_config(self) -> str | None: ...   # None: the platform keeps no saved config
    def close(self) -> None: ...


@dataclass
class DeviceResult:
    """One device's (or one link's) outcome: a failure never hides the others."""

    host: str
    item: str
    changed: bool = False
    failed: bool = False
    diff: list[str] = field(default_factory=list)
    error: str | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"device": self.host, "item": self.item, "changed": self.changed, "failed": self.failed,
                "diff": self.diff, "error": self.error, **self.extra}
