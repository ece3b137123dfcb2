"""What pip installs and what the sdist carries: every import declared, the lab an extra, the tests shipped."""

import ast
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from importlib.metadata import packages_distributions

import pytest

from conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# shipped beside the package for its tests and walkthroughs (MANIFEST.in)
SHIPPED_TREES = ("tests", "examples", "inventory", "benchmarks")
SHIPPED_FILES = ("policies.yaml", "README.md", "pyproject.toml", "MANIFEST.in")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(req: str) -> str:
    return _norm(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req).group(1))


BASE = {_requirement_name(r) for r in PYPROJECT["dependencies"]}
EXTRAS = {extra: {_requirement_name(r) for r in reqs} for extra, reqs in PYPROJECT["optional-dependencies"].items()}


def third_party_imports(path):
    """(distribution, top_level) for each import of a package that is neither stdlib nor local to ``path``.

    top_level: the import runs when the module is imported (not inside a function), so it must work on every install.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function.update(id(n) for n in ast.walk(node) if n is not node)
    dists = packages_distributions()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "egovnet" or top == "__future__":
                continue
            if (path.parent / f"{top}.py").exists() or (REPO / "tests" / f"{top}.py").exists():
                continue  # conftest, linux_router, a benchmark's helper module
            # the import name's distribution as installed here (yaml -> PyYAML, docx -> python-docx); a package
            # not installed here (an extra's driver) is taken to be named as it is imported
            dist = _norm(dists.get(top, [top])[0])
            yield dist, id(node) not in in_function, name


def test_every_imported_package_is_declared():
    extras = set().union(*(v for k, v in EXTRAS.items() if k != "test"))
    problems = []
    for path in sorted((REPO / "egovnet").rglob("*.py")):
        for dist, top_level, name in third_party_imports(path):
            where = f"{path.relative_to(REPO)}: import {name}"
            if dist in BASE:
                continue
            if dist not in extras:
                problems.append(f"{where}: {dist} is not declared in pyproject.toml")
            elif top_level:  # an extra's package imported on module load breaks the install without that extra
                problems.append(f"{where}: {dist} comes with an extra; import it inside the function that needs it")
    for folder in ("tests", "benchmarks"):
        declared = BASE.union(*EXTRAS.values())
        for path in sorted((REPO / folder).rglob("*.py")):
            for dist, _, name in third_party_imports(path):
                if dist not in declared:
                    problems.append(f"{path.relative_to(REPO)}: import {name}: {dist} is not declared")
    assert problems == []


def test_every_declared_dependency_is_used():
    used = {dist for path in (REPO / "egovnet").rglob("*.py") for dist, _, _ in third_party_imports(path)}
    # SQLAlchemy is imported as sqlalchemy; alembic runs the migrations; each is imported somewhere in egovnet
    assert sorted(BASE - used) == []


def test_the_lab_is_an_extra_that_the_tests_install():
    assert "asyncssh" not in BASE  # a production install talks to real devices only
    assert EXTRAS["lab"] == {"asyncssh"}
    assert EXTRAS["lab"] <= EXTRAS["test"]


def test_without_the_lab_extra_the_demo_is_one_line_naming_it(tmp_path):
    # asyncssh made unimportable, as on `pip install egovnet` without [lab]; everything else still works
    code = ("import sys; sys.modules['asyncssh'] = None\n"
            "sys.argv = ['egovnet'] + sys.argv[1:]\n"
            "from egovnet.cli import main\nmain()\n")
    env = {"PATH": "/usr/bin:/bin", "EGOVNET_HOME": str(tmp_path / "home"), "HOME": str(tmp_path)}
    for args in (["demo"], ["lab", "serve", "--inventory", str(tmp_path / "inv")]):
        r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=60)
        assert r.returncode == 1, r.stderr
        assert (r.stdout, r.stderr) == ("", "Error: the device lab (egovnet demo, egovnet lab serve) needs asyncssh, "
                                            "which this installation lacks; install it with: pip install "
                                            "'egovnet[lab]'\n")
    r = subprocess.run([sys.executable, "-c", code, "link", "list", "--json"], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=60)
    assert (r.returncode, r.stdout) == (0, "[]\n"), r.stderr


# -- sdist and wheel ------------------------------------------------------------------------------------------------

def _shipped_sources():
    """The files under the shipped trees as they are here (a checkout, or an unpacked sdist)."""
    files = set(SHIPPED_FILES)
    for tree in SHIPPED_TREES:
        for p in (REPO / tree).rglob("*"):
            rel = p.relative_to(REPO)
            if p.is_file() and "__pycache__" not in rel.parts and p.suffix != ".pyc" and p.name != "known_hosts" \
                    and not any(part.startswith(".") for part in rel.parts):
                files.add(rel.as_posix())
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """sdist and wheel built with setuptools' build_meta from a copy of the tree (no network, no build isolation)."""
    work = tmp_path_factory.mktemp("build")
    src = work / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info",
                                                             "__pycache__", ".pytest_cache", "*.pyc"))
    out = work / "dist"
    # build_meta rewrites sys.argv: read the arguments first
    code = ("import sys; from pathlib import Path; from setuptools import build_meta as b\n"
            "out, report = sys.argv[1:3]\n"
            "names = [b.build_sdist(out), b.build_wheel(out)]\n"
            "Path(report).write_text(' '.join(names))")
    r = subprocess.run([sys.executable, "-c", code, str(out), str(work / "names")], cwd=src, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    sdist_name, wheel_name = (work / "names").read_text().split()
    return out / sdist_name, out / wheel_name


def test_the_sdist_carries_what_its_tests_need(built):
    sdist, _ = built
    with tarfile.open(sdist) as tar:
        root = tar.getnames()[0].split("/")[0]
        names = {n.removeprefix(root + "/") for n in tar.getnames()}
    for needed in ("tests/conftest.py", "tests/linux_router.py", "policies.yaml", "examples/qingpu-villages.csv",
                   "inventory/lab/inventory.yaml", "tests/data/counters/LICENSE-ntc-templates", "MANIFEST.in"):
        assert needed in names, needed
    assert sorted(_shipped_sources() - names) == []
    package = {p.relative_to(REPO).as_posix() for p in (REPO / "egovnet").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(package - names) == []
    assert [n for n in names if n.endswith((".pyc", "known_hosts", ".key"))] == []


def test_the_wheel_carries_the_package_and_its_data(built):
    _, wheel = built
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode("utf-8")
    package = {p.relative_to(REPO).as_posix() for p in (REPO / "egovnet").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(package - names) == []  # templates, TextFSM, migrations, the packaged policy
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)
    requires = {_requirement_name(line.split(":", 1)[1]) for line in metadata.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line}
    assert requires == BASE
    assert "Provides-Extra: lab" in metadata


def test_pytest_collects_the_same_tests_on_the_unpacked_sdist(built, tmp_path):
    sdist, _ = built
    with tarfile.open(sdist) as tar:
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python >= 3.11.4
        tar.extractall(tmp_path / "unpacked", **safe)
    unpacked = next((tmp_path / "unpacked").iterdir())

    def collect(where):
        r = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                           cwd=where, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
        return re.search(r"^(\d+) tests? collected", r.stdout, re.M).group(1)

    assert collect(unpacked) == collect(REPO)
