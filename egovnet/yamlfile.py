"""Read a YAML configuration file and validate it into typed, frozen objects.

Every problem is reported as ONE line naming file, line and key path, e.g.
``policies.yaml:41: deadlines.review.working_days: must be an integer (got 'five')``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml

from egovnet.errors import InvalidConfig

T = TypeVar("T")
Loc = tuple[Any, ...]

# A policy or inventory file is read by people (an auditor, the engineer on call): every value stands where it
# applies. Anchors and aliases (&name / *name, and the << merge key that needs them) would let a few lines expand
# to millions of nodes ("billion laughs"), so they are refused before anything is built. The caps below are far
# above any real file (the packaged policy is ~10 KiB and 6 levels deep).
MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32


def _walk(node: yaml.Node, path: Loc, lines: dict[Loc, int], source: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise InvalidConfig(
                    f"{source}:{key_node.start_mark.line + 1}: {dotted(path + (key,))}: duplicate key "
                    f"(first at line {seen[key]}); keep one"
                )
            seen[key] = key_node.start_mark.line + 1
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines, source)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, source)


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def read_yaml(path: Path, label: str | None = None) -> tuple[Any, dict[Loc, int], str]:
    """Return (data, line map, source label). Malformed YAML raises InvalidConfig with its line."""
    source = label or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidConfig(f"{source}: file not found") from None
    except UnicodeDecodeError as exc:
        raise InvalidConfig(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InvalidConfig(f"{source}: cannot read ({exc.strerror})") from None
    if len(text) > MAX_BYTES:
        raise InvalidConfig(f"{source}: the file is {len(text):,} characters long; at most {MAX_BYTES:,} are "
                            "accepted; check that this is the right file")
    lines: dict[Loc, int] = {}
    node = None
    loader = _StrictLoader(text, source)
    try:
        node = loader.get_single_node()  # one parse: the node tree gives the lines and then the data
        data = None
        if node is not None:
            _walk(node, (), lines, source)
            data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" (started at line {exc.context_mark.line + 1})"
        raise InvalidConfig(f"{source}:{line}: malformed YAML: {problem}") from None
    except ValueError as exc:  # a well-formed scalar that is no real value, e.g. the date 2026-02-30
        raise InvalidConfig(f"{source}:{_line_of_bad_scalar(node)}: {exc}; write dates as YYYY-MM-DD") from None
    except yaml.YAMLError as exc:
        raise InvalidConfig(f"{source}: malformed YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, lines, source


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases and deep nesting while composing, before anything is expanded."""

    def __init__(self, text: str, source: str):
        super().__init__(text)
        self._source, self._depth = source, 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            what = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
            raise InvalidConfig(f"{self._source}:{line}: YAML {what}{event.anchor}: anchors and aliases (&name, "
                                "*name, <<) are not accepted in this file; write the value out where it applies "
                                "(inventories share values through defaults and groups)")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if self._depth >= MAX_DEPTH:
                raise InvalidConfig(f"{self._source}:{line}: values nested more than {MAX_DEPTH} levels deep; "
                                    "no egovnet file needs that many, check the brackets")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _line_of_bad_scalar(node) -> int:
    """Find the first timestamp-looking scalar that does not construct (yaml gives no mark for it)."""

    stack = [node] if node is not None else []
    while stack:
        n = stack.pop(0)
        if isinstance(n, yaml.ScalarNode) and n.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader.construct_yaml_timestamp(yaml.SafeLoader(""), n)
            except ValueError:
                return n.start_mark.line + 1
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend([k, v])
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return 1


def line_of(loc: Loc, lines: dict[Loc, int]) -> int:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get((), 1)


def validate(model: type[T], data: Any, lines: dict[Loc, int], source: str, *, context: dict | None = None) -> T:
    """Validate ``data`` into ``model`` (a pydantic model); the first problem becomes one error line."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data if data is not None else {}, context=context)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise InvalidConfig(describe(errors, lines, source)) from None


def describe(errors: list[dict], lines: dict[Loc, int], source: str) -> str:
    first = errors[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    msg = first["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if first["type"] == "extra_forbidden":
        msg = "unknown key; check its spelling against the documented keys"
    elif first["type"] == "missing":
        msg = "required key is missing"
    elif "input" in first and first["type"] not in ("value_error", "assertion_error"):
        shown = repr(first["input"])
        msg = f"{msg} (got {shown[:60]})"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{source}:{line_of(loc, lines)}: {dotted(loc)}: {msg}{more}"
