"""Limits on rendering an operator's template: size, steps, template loads and wall-clock time.

render.py renders every template through the environment built here. Jinja2's sandbox keeps a template away
from Python's internals; this module keeps it from exhausting the machine.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterator

# ---- limits on rendering ------------------------------------------------------------------------------------
# An operator's template is code that runs inside egovnet. Jinja2's sandbox stops it from reaching Python's
# internals, not from exhausting the machine: a template that includes itself, `range(10**9)`, `'x'*200000000`
# or loops nested over one list would run for minutes or fill the memory of a provisioning run. A template
# renders the handful of commands of one link (the packaged ones are under 2 KiB), so the caps below are
# generous; each is checked before the expensive step, and every loop step, call and filter checks the clock.
MAX_SOURCE = 64 * 1024        # characters of one template file
MAX_OUTPUT = 64 * 1024        # characters one rendering may produce
MAX_VALUE = 64 * 1024         # characters (or items) of any one value a template builds
MAX_RANGE = 10_000            # items of range(); VLAN ids end at 4094
MAX_STEPS = 200_000           # loop iterations, calls and filter applications in one rendering
MAX_LOADS = 50                # template loads (include, import, extends) in one rendering
MAX_INT_BITS = 4096
RENDER_SECONDS = 2.0
_WIDTH_FILTERS = {"batch", "center", "indent", "slice", "truncate", "wordwrap"}
_SIZED_FILTERS = {"join", "replace", "indent", "format", "tojson", "string", "pprint", "list", "center", "sum",
                  "unique", "sort"}
_STR_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "format", "format_map"}
_SPEC_NUMBER = re.compile(r"(?:%[-#0 +]*|\{[^{}]*?:[^{}]*?)(\d+)")

_local = threading.local()


def _security_error():
    from jinja2.exceptions import SecurityError

    return SecurityError


def limit(what: str):
    return _security_error()(f"rendering limit: {what}")


def _weight(value, cap: int = MAX_VALUE) -> int:
    """Roughly how many characters ``value`` prints as; stops counting once past ``cap`` (cycles end too)."""
    total, stack = 0, [value]
    while stack and total <= cap:
        v = stack.pop()
        total += 1
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, int) and not isinstance(v, bool):
            total += v.bit_length() // 3
    return total


def _check_value(value, what: str = "a value"):
    size = _weight(value)
    if size > MAX_VALUE:
        raise limit(f"{what} of more than {MAX_VALUE:,} characters")
    return value


def _check_spec(fmt: str, args) -> None:
    for number in _SPEC_NUMBER.findall(fmt):
        if int(number) > MAX_VALUE:
            raise limit(f"a format width of {int(number):,} (at most {MAX_VALUE:,})")
    estimate = len(fmt) + fmt.count("%") * _weight(args) + fmt.count("{") * _weight(args)
    if estimate > MAX_VALUE:
        raise limit(f"a formatted string of more than {MAX_VALUE:,} characters")


class _Budget:
    def __init__(self):
        self.deadline = time.monotonic() + RENDER_SECONDS
        self.steps = 0
        self.loads = 0

    def tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise limit(f"more than {MAX_STEPS:,} loop steps, calls and filters")
        if time.monotonic() > self.deadline:
            raise limit(f"rendering took longer than {RENDER_SECONDS:g} s")


def tick() -> None:
    budget = getattr(_local, "budget", None)
    if budget is not None:  # None while Jinja folds constants at compile time: sizes are still checked
        budget.tick()


def _metered(iterable):
    """Every for-loop iterates through this: nested loops over one list cannot run unchecked."""
    for item in iterable:
        tick()
        yield item


def _sized(value):
    tick()
    return _check_value(value)


def _safe_range(*args):
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise limit(f"range() of {len(rng):,} items (at most {MAX_RANGE:,})")
    return rng


def _wrap_filter(name: str, func):
    @functools.wraps(func)
    def checked(*args, **kwargs):
        tick()
        values = [a for a in list(args) + list(kwargs.values()) if not _is_jinja_object(a)]
        if name in _WIDTH_FILTERS:
            for a in values[1:]:
                if isinstance(a, int) and not isinstance(a, bool) and a > MAX_VALUE:
                    raise limit(f"|{name}({a:,}) (at most {MAX_VALUE:,})")
        if name == "format" and values and isinstance(values[0], str):
            _check_spec(values[0], values[1:])
        if name in _SIZED_FILTERS:
            # a generator (from |map, |select ...) is counted item by item, not taken for one small value
            args = tuple(list(_metered(a)) if isinstance(a, Iterator) and not _is_jinja_object(a) else a
                         for a in args)
            values = [a for a in list(args) + list(kwargs.values()) if not _is_jinja_object(a)]
            estimate = sum(_weight(a) for a in values)
            if name == "join" and values and isinstance(values[0], (list, tuple)):
                estimate += len(values[0]) * _weight(values[1:])
            if name == "replace" and len(values) >= 3 and isinstance(values[0], str):
                old, new = str(values[1]), str(values[2])
                estimate += (values[0].count(old) if old else len(values[0]) + 1) * len(new)
            if name == "indent" and values and isinstance(values[0], str):
                width = values[1] if len(values) > 1 else 4
                estimate += values[0].count("\n") * (width if isinstance(width, int) else len(str(width)))
            if estimate > MAX_VALUE:
                raise limit(f"|{name} would build more than {MAX_VALUE:,} characters")
        return _check_value(func(*args, **kwargs), f"the result of |{name}")

    return checked


def _is_jinja_object(value) -> bool:
    """The context, eval context or environment Jinja passes to some filters before the value."""
    from jinja2 import Environment
    from jinja2.nodes import EvalContext
    from jinja2.runtime import Context

    return isinstance(value, (Context, EvalContext, Environment))


def _str_method(text: str, name: str, method):
    def checked(*args, **kwargs):
        tick()
        values = list(args) + list(kwargs.values())
        if name in ("center", "ljust", "rjust", "zfill", "expandtabs"):
            width = values[0] if values else 8
            if isinstance(width, int) and width * (text.count("\t") + 1 if name == "expandtabs" else 1) > MAX_VALUE:
                raise limit(f"str.{name}({width:,}) (at most {MAX_VALUE:,} characters)")
        elif name in ("format", "format_map"):
            _check_spec(text, values)
        elif name == "replace" and len(values) >= 2:
            old, new = str(values[0]), str(values[1])
            if len(text) + (text.count(old) if old else len(text) + 1) * len(new) > MAX_VALUE:
                raise limit(f"str.replace would build more than {MAX_VALUE:,} characters")
        elif name == "join" and values:
            items = list(values[0])
            if _weight(items) + len(items) * len(text) > MAX_VALUE:
                raise limit(f"str.join would build more than {MAX_VALUE:,} characters")
            args = (items,) + tuple(args[1:])
        return _check_value(method(*args, **kwargs), f"the result of str.{name}")

    return checked


def environment_class():
    """A SandboxedEnvironment with size, step and time limits (built on first use: jinja2 loads lazily)."""
    global _LimitedSandbox
    if _LimitedSandbox is not None:
        return _LimitedSandbox
    from jinja2 import nodes
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.visitor import NodeTransformer

    def _filter(node, name):
        return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)

    class _Meter(NodeTransformer):
        """Route every loop, output and concatenation through a check (the sandbox intercepts none of them)."""

        def visit_For(self, node):
            node = self.generic_visit(node)
            node.iter = _filter(node.iter, "egovnet_metered")
            return node

        def visit_Output(self, node):
            node = self.generic_visit(node)
            node.nodes = [n if isinstance(n, nodes.TemplateData) else _filter(n, "egovnet_sized") for n in node.nodes]
            return node

        def visit_Concat(self, node):
            node = self.generic_visit(node)
            node.nodes = [_filter(n, "egovnet_sized") for n in node.nodes]
            return _filter(node, "egovnet_sized")

    class LimitedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "+"})

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.filters = {name: _wrap_filter(name, f) for name, f in self.filters.items()}
            self.filters["egovnet_metered"] = _metered
            self.filters["egovnet_sized"] = _sized
            self.globals["range"] = _safe_range
            self.globals.pop("lipsum", None)  # lorem ipsum of any length: no use in a device template

        def _parse(self, source, name, filename):
            if len(source) > MAX_SOURCE:
                raise limit(f"the template is {len(source):,} characters long (at most {MAX_SOURCE:,})")
            return _Meter().visit(super()._parse(source, name, filename))

        def _load_template(self, name, globals):
            budget = getattr(_local, "budget", None)
            if budget is not None:
                budget.loads += 1
                if budget.loads > MAX_LOADS:
                    raise limit(f"more than {MAX_LOADS} template loads (does a template include itself?)")
            return super()._load_template(name, globals)

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
            tick()
            return _check_value(super().call(__context, __obj, *args, **kwargs), "the result of a call")

        def getattr(self, obj, attribute):
            value = super().getattr(obj, attribute)
            return _str_method(obj, attribute, value) if isinstance(obj, str) and attribute in _STR_METHODS \
                and callable(value) else value

        def getitem(self, obj, argument):
            value = super().getitem(obj, argument)
            return _str_method(obj, argument, value) if isinstance(obj, str) and isinstance(argument, str) \
                and argument in _STR_METHODS and callable(value) else value

        def call_binop(self, context, operator, left, right):
            tick()
            if operator in ("*", "+"):
                if isinstance(left, int) and isinstance(right, int):
                    if operator == "*" and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                        raise limit(f"a number of more than {MAX_INT_BITS} bits")
                else:
                    seq, n = (left, right) if isinstance(right, int) else (right, left)
                    if operator == "*" and isinstance(n, int) and isinstance(seq, (str, list, tuple)):
                        if n > 0 and _weight(seq) * n > MAX_VALUE:
                            raise limit(f"repeating a value {n:,} times builds more than {MAX_VALUE:,} characters")
                    elif operator == "+" and _weight(left) + _weight(right) > MAX_VALUE:
                        raise limit(f"joining values of more than {MAX_VALUE:,} characters")
            elif operator == "**":
                if isinstance(left, int) and isinstance(right, int) and right > 0 \
                        and max(left.bit_length(), 1) * right > MAX_INT_BITS:
                    raise limit(f"a number of more than {MAX_INT_BITS} bits")
            elif operator == "%" and isinstance(left, str):
                _check_spec(left, right)
            return _check_value(super().call_binop(context, operator, left, right), "a computed value")

    _LimitedSandbox = LimitedSandbox
    return LimitedSandbox


_LimitedSandbox = None


def start() -> None:
    """A fresh budget for one rendering on this thread."""
    _local.budget = _Budget()


def stop() -> None:
    _local.budget = None


def location(filename: str, exc: BaseException | None) -> str:
    """file:line of the innermost template frame (Jinja rewrites tracebacks to template lines)."""
    line = getattr(exc, "lineno", None)
    name = getattr(exc, "filename", None) or filename
    tb = exc.__traceback__ if exc is not None else None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            name, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return f"{name}:{line}" if line else str(name)
