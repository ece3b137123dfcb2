"""The shape of the code: imports point one way, and --help stays light."""

import ast
import subprocess
import sys

from conftest import REPO

PKG = REPO / "egovnet"


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_commands_do_not_touch_storage_devices_or_yaml():
    for path in (PKG / "commands").glob("*.py"):
        for mod in imported_modules(path):
            top = mod.split(".")[0]
            assert top not in {"sqlmodel", "sqlalchemy", "netmiko", "paramiko", "yaml", "alembic"}, (path.name, mod)


def test_nothing_below_commands_imports_typer_or_rich():
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).parts
        if rel[0] in ("commands",) or rel[-1] in ("cli.py", "output.py"):
            continue
        for mod in imported_modules(path):
            assert mod.split(".")[0] not in {"typer", "rich"}, (str(path), mod)
            assert not mod.startswith("egovnet.commands"), (str(path), mod)


HEAVY = ('sqlmodel', 'sqlalchemy', 'netmiko', 'paramiko', 'alembic', 'holidays', 'pydantic', 'rich.markdown',
         'markdown_it', 'yaml', 'jinja2')


def _loaded_after(*argv):
    """Modules imported by one `egovnet ARGV` in a fresh interpreter: (heavy ones, egovnet.commands modules)."""
    code = ("import sys\n"
            f"sys.argv=['egovnet', *{list(argv)!r}]\n"
            "from egovnet.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
            "print('COMMANDS', sorted(m for m in sys.modules if m.startswith('egovnet.commands.')), file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    lines = dict(line.split(" ", 1) for line in r.stderr.splitlines() if line.startswith(("HEAVY", "COMMANDS")))
    assert r.returncode == 0 and "Usage: egovnet" in r.stdout, r.stderr
    return lines["HEAVY"], lines["COMMANDS"]


def test_help_does_not_import_heavy_modules():
    assert _loaded_after("--help") == ("[]", "[]")


def test_group_help_imports_its_own_module_only():
    """`egovnet review --help` runs the root options (typer coerces them) and loads the review module alone."""
    assert _loaded_after("review", "--help") == ("[]", "['egovnet.commands._common', 'egovnet.commands.review']")
    assert _loaded_after("review", "list", "--help") == (
        "[]", "['egovnet.commands._common', 'egovnet.commands.review']")


def test_lazy_root_help_is_the_loaded_one():
    """The root lists each command from egovnet.commands.COMMANDS without importing it; once every command is
    loaded the listing is the same, and each line is the first paragraph of that command's own help."""
    from typer.main import get_command

    from egovnet.cli import app
    from egovnet.commands import COMMANDS

    lazy = get_command(app)
    ctx = lazy.make_context("egovnet", ["--help"], resilient_parsing=True)
    before = lazy.get_help(ctx)
    for name in lazy.list_commands(ctx):
        command = lazy.get_command(ctx, name)
        assert command.help.split("\n\n")[0] == COMMANDS[name][2], name
    assert lazy.get_help(ctx) == before
    assert list(lazy.commands) == list(COMMANDS)


def test_readme_documents_every_command_and_variable():
    from typer.main import get_command

    from egovnet.cli import app
    from egovnet.settings import ENV_VARS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    root = get_command(app)
    names = []
    for name in root.list_commands(None):
        cmd = root.get_command(None, name)
        sub = getattr(cmd, "commands", None)
        names += [f"egovnet {name} {s}" for s in sub] if sub else [f"egovnet {name}"]
    missing = [n for n in names if f"`{n}" not in readme]
    assert missing == []
    assert [v for v in ENV_VARS if f"`{v}`" not in readme] == []


def _platform_branches(tree):
    """Comparisons of a platform name against literals: `x.platform == "linux"`, `platform in ("a", "b")`."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        names = [s for s in sides if (isinstance(s, ast.Attribute) and s.attr == "platform")
                 or (isinstance(s, ast.Name) and s.id == "platform")]
        literals = [s for s in sides if isinstance(s, ast.Constant) and isinstance(s.value, str)
                    or isinstance(s, (ast.Tuple, ast.List, ast.Set))]
        if names and literals:
            yield node.lineno


def test_no_platform_branches_outside_devices():
    """One module per platform owns what differs between vendors; services ask it (Issue: real devices)."""
    found = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).parts
        if rel[0] in ("devices", "lab"):
            continue
        found += [f"{'/'.join(rel)}:{line}" for line in _platform_branches(ast.parse(path.read_text("utf-8")))]
    assert found == []


def test_platform_branch_finder_finds_one():
    tree = ast.parse('if dev.platform == "linux":\n    pass\nif platform in ("a", "b"):\n    pass\n')
    assert list(_platform_branches(tree)) == [1, 3]


def test_every_inventory_platform_has_a_module_and_templates():
    from typing import get_args

    from egovnet.devices import platforms
    from egovnet.devices.render import ACTIONS, PACKAGED
    from egovnet.inventory import Platform

    assert sorted(get_args(Platform)) == sorted(platforms.PLATFORMS)
    for name, p in platforms.PLATFORMS.items():
        for action in ACTIONS:
            assert any((PACKAGED / folder / f"{action}.j2").is_file() for folder in p.templates), (name, action)
