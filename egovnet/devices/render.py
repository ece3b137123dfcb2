"""Per-platform Jinja2 templates, sandboxed, strict; an operator's copy under inventory/templates wins.

Context building (pure, in services) is separate from rendering: render() takes a finished context and
returns a list of commands, each checked by devices/safety.py. A render error is an exception.
"""

from __future__ import annotations

import functools
import hashlib
import os
import stat
from pathlib import Path

from egovnet.devices import sandbox
from egovnet.devices.safety import check_commands, check_context
from egovnet.errors import EgovnetError, InvalidConfig

PACKAGED = Path(__file__).parent / "templates"
ACTIONS = ("open", "close", "bandwidth", "shutdown", "no_shutdown", "disconnect", "reconnect")


def _env(platform: str, inventory: Path | None):
    """One environment per set of template folders as they are now (their files and what the files say), so a
    template is compiled once per process, not once per job (100 jobs: ~0.6 s), and an operator's copy added
    or edited later, even within the same clock tick, is still the one used."""
    from egovnet.devices import platforms

    dirs = []
    for name in platforms.get(platform).templates:
        if inventory is not None:
            dirs.append(Path(inventory) / "templates" / name)
        dirs.append(PACKAGED / name)
    state = []
    for d in dirs:
        try:
            state.append((str(d), tuple(sorted((e.name, _digest(e.path)) for e in os.scandir(d)))))
        except (FileNotFoundError, NotADirectoryError):
            continue
    return _cached_env(tuple(state))


def _digest(path: str) -> str:
    """What a file in a template folder says: its content's hash; for anything that is no small regular file
    (a subfolder, a FIFO, a device, a file over 1 MB, which the sandbox refuses to compile anyway) its kind, size
    and modification time, never its content."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > 1_000_000:
            return f"{stat.S_IFMT(st.st_mode)}:{st.st_size}:{st.st_mtime_ns}"
        with open(path, "rb") as f:
            return hashlib.sha256(f.read(1_000_001)).hexdigest()
    except OSError:
        return ""


@functools.lru_cache(maxsize=64)
def _cached_env(state: tuple):
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined

    return sandbox.environment_class()(
        loader=ChoiceLoader([FileSystemLoader(d) for d, _files in state]),
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=False,
        keep_trailing_newline=False,
    )


def render(platform: str, action: str, context: dict, inventory: Path | None = None) -> list[str]:
    from jinja2 import TemplateError

    if action not in ACTIONS:
        raise InvalidConfig(f"unknown template action {action!r}; actions are {', '.join(ACTIONS)}")
    check_context(context, platform, action)
    name, where = f"{action}.j2", f"{platform}/{action}.j2"
    sandbox.start()
    try:
        template = _env(platform, inventory).get_template(name)
        where = template.filename or where
        parts, size = [], 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > sandbox.MAX_OUTPUT:
                raise sandbox.limit(f"more than {sandbox.MAX_OUTPUT:,} characters of output")
            sandbox.tick()
            parts.append(chunk)
        text = "".join(parts)
    except EgovnetError:
        raise
    except RecursionError as exc:
        raise InvalidConfig(f"template {sandbox.location(where, exc)} failed to render: includes or macro calls "
                            "nest without end (does it include or call itself?); fix the template") from None
    except (TemplateError, ArithmeticError, LookupError, MemoryError, TypeError, ValueError, AttributeError) as exc:
        detail = str(exc) if not isinstance(exc, MemoryError) else "out of memory"
        if not isinstance(exc, TemplateError):
            detail = f"{type(exc).__name__}: {detail}"
        raise InvalidConfig(f"template {sandbox.location(where, exc)} failed to render: {detail}; fix the template"
                            + (" (an operator's template renders a few commands of one link)"
                               if "rendering limit" in detail else "")) from None
    finally:
        sandbox.stop()
    commands = [line.rstrip() for line in text.splitlines() if line.strip()]
    return check_commands(commands, platform)

