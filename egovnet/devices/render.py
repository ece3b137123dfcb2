"""Per-platform Jinja2 templates, sandboxed, strict; an operator's copy under inventory/templates wins.

Context building (pure, in services) is separate from rendering: render() takes a finished context and
returns a list of commands, each checked by devices/safety.py. A render error is an exception.
"""

from __future__ import annotations

from pathlib import Path

from egovnet.devices.safety import check_commands, check_context
from egovnet.errors import InvalidConfig

PACKAGED = Path(__file__).parent / "templates"
ACTIONS = ("open", "close", "bandwidth", "shutdown", "no_shutdown")


def _env(platform: str, inventory: Path | None):
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from egovnet.devices import platforms

    dirs = []
    for name in platforms.get(platform).templates:
        if inventory is not None:
            dirs.append(Path(inventory) / "templates" / name)
        dirs.append(PACKAGED / name)
    return SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs if d.is_dir()]),
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=False,
        keep_trailing_newline=False,
    )


def render(platform: str, action: str, context: dict, inventory: Path | None = None) -> list[str]:
    from jinja2 import TemplateError

    if action not in ACTIONS:
        raise InvalidConfig(f"unknown template action {action!r}; actions are {', '.join(ACTIONS)}")
    check_context(context, platform, action)
    try:
        text = _env(platform, inventory).get_template(f"{action}.j2").render(**context)
    except TemplateError as exc:
        raise InvalidConfig(f"template {platform}/{action}.j2 failed to render: {exc}") from None
    commands = [line.rstrip() for line in text.splitlines() if line.strip()]
    return check_commands(commands, platform)
