"""Babel's extraction method for egovnet (named in babel.cfg; used by ``pybabel extract`` only, never at run time).

Besides ``_()``, ``N_()`` and ``ngettext()`` calls it takes what the interface shows without a marker:
- the docstring of every command (a function under ``@x.command(...)`` or ``@x.callback(...)``, or one taking a
  ``typer.Context``, as the commands egovnet.commands.COMMANDS names directly) and every
  ``help="..."`` keyword, cut into paragraphs as click shows them (egovnet.i18n.help_text translates paragraph by
  paragraph, so the root's one-line listing and the command's own help share one entry);
- the third item of each entry of egovnet.commands.COMMANDS (the root's listing);
- table headers (``Column(key, "header")``), field labels (a module constant that is a list of
  ``("key", "label")`` pairs) and ``title=`` / ``empty=`` keywords;
- the message of every ``raise SomeError(...)`` and the text given to the calls named in the ``calls`` option
  (``message:1 warn:1 confirm:1 require:2``), both texts where it is ``a if cond else b``: an f-string becomes a
  template, each field named after its expression (``f"application {app_id} not found"`` ->
  ``application {app_id} not found``); egovnet.i18n.localize matches an English line against the templates and
  fills the translation with the same values.
"""

from __future__ import annotations

import ast
import inspect
import re


def _name(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Subscript):
        key = expr.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value.isidentifier():
            return key.value
        return _name(expr.value)
    if isinstance(expr, ast.Call):  # {d.isoformat()} -> d, {len(rows)} -> len
        return _name(expr.func.value) if isinstance(expr.func, ast.Attribute) else _name(expr.func)
    return "value"


def _text(node: ast.expr) -> str | None:
    """A string literal, an f-string as a template, or a concatenation of those; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        out, seen = [], {}
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value).replace("{", "{{").replace("}", "}}"))
            elif isinstance(part, ast.FormattedValue):
                source = ast.dump(part.value)
                name = _name(part.value)
                if source not in seen:
                    taken = set(seen.values())
                    unique, n = name, 2
                    while unique in taken:
                        unique, n = f"{name}{n}", n + 1
                    seen[source] = unique
                out.append("{" + seen[source] + "}")
        return "".join(out)
    return None


def _texts(node: ast.expr) -> list[str]:
    """The texts a value can be: both branches of ``a if cond else b`` (each as _text), or the one text."""
    if isinstance(node, ast.IfExp):
        return _texts(node.body) + _texts(node.orelse)
    text = _text(node)
    return [text] if text is not None else []


def _paragraphs(text: str) -> list[str]:
    return [p for p in inspect.cleandoc(text).split("\n\n") if p.strip()]


def _calls(options: dict) -> dict[str, set[tuple[int, str]]]:
    """``message:1 not_own:2:part`` -> {"message": {(1, "")}, "not_own": {(2, "part")}}: the position of the text,
    and the message context it goes under (a part of another message: see egovnet.i18n.localize)."""
    spec = (options or {}).get("calls", "message:1 warn:1 confirm:1")
    found: dict[str, set[tuple[int, str]]] = {}
    for item in re.split(r"[\s,]+", spec.strip()):
        if item:
            name, pos, context = (item.split(":") + ["", ""])[:3]
            found.setdefault(name, set()).add((int(pos or "1"), context))
    return found


def _func_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def extract(fileobj, keywords, comment_tags, options):
    """Babel's extraction method interface: yields (lineno, funcname, message, comments)."""
    source = fileobj.read().decode("utf-8")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    calls = _calls(options)
    found: list[tuple[int, str, object]] = []

    def add(node, text, func="_"):
        if text and text.strip():
            found.append((node.lineno, func, text))

    def add_help(node, text):
        for p in _paragraphs(text):
            add(node, p)

    raised: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            raised.add(id(node.exc))
            for text in _texts(node.exc.args[0]):
                add(node.exc, text)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            decorated = any(isinstance(d, ast.Call) and _func_name(d.func) in ("command", "callback")
                            for d in node.decorator_list) or any(  # a command registered in COMMANDS takes ctx
                isinstance(a.annotation, ast.Attribute) and a.annotation.attr == "Context" for a in node.args.args)
            doc = ast.get_docstring(node, clean=False)
            if decorated and doc:
                add_help(node, doc)
        elif isinstance(node, ast.Call):
            func = _func_name(node.func)
            if func in ("_", "N_") and node.args:
                add(node, _text(node.args[0]))
            elif func in ("pgettext", "pgettext_noop") and len(node.args) >= 2:
                context, text = _text(node.args[0]), _text(node.args[1])
                if context and text:
                    found.append((node.lineno, "pgettext", (context, text)))
            elif func == "ngettext" and len(node.args) >= 2:
                one, many = _text(node.args[0]), _text(node.args[1])
                if one and many:
                    found.append((node.lineno, "ngettext", (one, many)))
            elif func == "Column" and len(node.args) >= 2:
                add(node, _text(node.args[1]))
            elif func in calls and id(node) not in raised:
                for pos, context in sorted(calls[func]):
                    for text in _texts(node.args[pos - 1]) if len(node.args) >= pos else []:
                        if text and context:
                            found.append((node.lineno, "pgettext", (context, text)))
                        elif text:
                            add(node, text)
            for kw in node.keywords:
                if kw.arg == "help":
                    text = _text(kw.value)
                    if text:
                        add_help(node, text)
                elif kw.arg in ("title", "empty"):
                    for text in _texts(kw.value):
                        add(node, text)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            value = node.value
            if "COMMANDS" in names and isinstance(value, ast.Dict):
                for entry in value.values:
                    if isinstance(entry, ast.Tuple) and len(entry.elts) >= 3:
                        add_help(entry, _text(entry.elts[2]) or "")
            elif names and all(n.isupper() for n in names) and isinstance(value, ast.List) and value.elts and all(
                    isinstance(e, ast.Tuple) and len(e.elts) == 2 and all(_text(x) is not None for x in e.elts)
                    for e in value.elts):
                for e in value.elts:
                    add(e, _text(e.elts[1]))
    for lineno, func, message in sorted(found, key=lambda f: f[0]):
        yield lineno, func, message, []


def main(argv: list[str] | None = None) -> int:
    """``python -m egovnet._babel``: extract the messages (babel.cfg) into a template (a temporary .pot) and merge
    them into each catalog; new messages come in untranslated (English until someone translates them), messages
    gone from the code leave. Prints how many of each catalog are still to translate. Needs Babel (the dev or
    test extra); run it from the repository's root."""
    from pathlib import Path

    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    import os
    import tempfile

    root = Path(__file__).resolve().parent.parent
    os.chdir(root)  # the catalog's references name files relative to the repository
    cli = CommandLineInterface()
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "egovnet.pot")
        from egovnet import __version__

        cli.run(["pybabel", "-q", "extract", "-F", "babel.cfg", "--no-wrap", "--sort-by-file", "--project",
                 "egovnet", "--version", __version__, "--msgid-bugs-address", "", "-o", pot, "."])
        cli.run(["pybabel", "-q", "update", "-i", pot, "-d", "egovnet/locale", "-D", "egovnet", "--no-wrap",
                 "--ignore-obsolete", "--no-fuzzy-matching"])
    for po in sorted((root / "egovnet" / "locale").glob("*/LC_MESSAGES/egovnet.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        todo = [m for m in catalog if m.id and not m.string]
        print(f"{po.relative_to(root)}: {len(catalog) - len(todo)} translated, {len(todo)} to translate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
