"""Every package the code imports is declared in pyproject.toml, and the lock files pin it."""

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

pytestmark = pytest.mark.one_engine

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
FIRST_PARTY = {"dateline", "tests"}
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)
HASHED = re.compile(r"^\S+==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", re.MULTILINE)


def requirements(with_tests: bool) -> list[Requirement]:
    lines = PROJECT["dependencies"] + (PROJECT["optional-dependencies"]["test"] if with_tests
                                       else [])
    return [Requirement(line) for line in lines]


def declared(with_tests: bool) -> set[str]:
    return {canonicalize_name(requirement.name) for requirement in requirements(with_tests)}


def imported_modules(folder: Path) -> dict[str, set[str]]:
    """Top-level modules of the absolute imports in `folder`'s Python files, each with the
    files that import it; the folder's own modules (bench's scripts import each other) left out.
    """
    # Its scripts, and those of its script folders (no __init__.py, such as bench/ingest/).
    own = {path.stem for path in folder.rglob("*.py")
           if path.parent == folder or not (path.parent / "__init__.py").exists()} | FIRST_PARTY
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in own and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def configured_modules() -> dict[str, set[str]]:
    """Top-level modules that settings name by dotted path: apps, middleware, backends."""
    paths = [*settings.INSTALLED_APPS, *settings.MIDDLEWARE, *settings.AUTHENTICATION_BACKENDS]
    for group in (settings.CACHES, settings.TASKS, settings.STORAGES):
        paths += [entry["BACKEND"] for entry in group.values()]
    paths += [entry["ENGINE"] for entry in settings.DATABASES.values()]
    return {path.partition(".")[0]: {"settings"} for path in paths
            if path.partition(".")[0] not in FIRST_PARTY}


@cache
def distributions_of() -> dict[str, set[str]]:
    return {module: {canonicalize_name(name) for name in names}
            for module, names in packages_distributions().items()}


def undeclared(modules: dict[str, set[str]], with_tests: bool) -> list[str]:
    allowed = declared(with_tests)
    return [f"{module} ({', '.join(sorted(distributions_of().get(module, {'not installed'})))})"
            f" imported by {', '.join(sorted(files))}"
            for module, files in sorted(modules.items())
            if not distributions_of().get(module, set()) & allowed]


def test_what_the_application_imports_is_a_runtime_dependency():
    modules = imported_modules(ROOT / "dateline") | configured_modules()
    assert modules.keys() >= {"django", "psycopg", "axes"}  # the scan does see imports
    assert undeclared(modules, with_tests=False) == [], (
        "declare these in pyproject.toml's dependencies, then run `make lock`")


@pytest.mark.parametrize("folder", ["tests", "bench"])
def test_what_the_tests_and_benchmarks_import_is_declared(folder):
    modules = imported_modules(ROOT / folder)
    assert undeclared(modules, with_tests=True) == [], (
        "declare these in pyproject.toml (the test extra if only tests use them), "
        "then run `make lock`")


def test_a_package_only_the_tests_use_is_not_a_runtime_dependency():
    runtime = imported_modules(ROOT / "dateline") | configured_modules()
    used = set().union(*(distributions_of().get(module, set()) for module in runtime))
    # Declared for the application but imported by none of it: granian is run as a command.
    unused = declared(with_tests=False) - used - {"granian", "dateline"}
    tests = imported_modules(ROOT / "tests")
    test_only = set().union(*(distributions_of().get(module, set()) for module in tests))
    assert sorted(unused & test_only) == [], "move these to the test extra"


@pytest.mark.parametrize(("lock", "with_tests"), [("run.lock", False), ("test.lock", True)])
def test_each_lock_pins_every_declared_requirement_within_its_range(lock, with_tests):
    text = (ROOT / "requirements" / lock).read_text()
    pinned = {canonicalize_name(name): version for name, version in PINNED.findall(text)}
    stale = []
    for requirement in requirements(with_tests):
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None or version not in requirement.specifier:
            stale.append(f"{requirement} (locked: {version})")
    assert stale == [], f"requirements/{lock} is out of date with pyproject.toml: run `make lock`"
    assert ("pytest" in pinned) is with_tests  # the runtime lock leaves the test extra out
    # pip's --require-hashes refuses an unhashed pin anyway; this says which file to rebuild.
    assert len(HASHED.findall(text)) == len(pinned) > 0, f"rebuild requirements/{lock}"


def test_the_bootstrap_lock_is_uv_alone_as_the_test_lock_pins_it():
    """pip installs uv from requirements/bootstrap.lock before uv installs the rest: the same
    release, with the same hashes, as the test lock (`make lock` writes both)."""
    def uv_pin(lock: str) -> str:
        text = (ROOT / "requirements" / lock).read_text()
        block = re.search(r"^uv==.*?(?=^\S|\Z)", text, re.MULTILINE | re.DOTALL)
        assert block, f"no uv in requirements/{lock}"
        return re.sub(r"\s*# via.*", "", block.group(0)).strip()

    bootstrap = (ROOT / "requirements" / "bootstrap.lock").read_text()
    assert PINNED.findall(bootstrap) and {canonicalize_name(n) for n, _ in
                                          PINNED.findall(bootstrap)} == {"uv"}
    assert uv_pin("bootstrap.lock") == uv_pin("test.lock")
