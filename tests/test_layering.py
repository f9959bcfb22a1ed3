"""The house's layers, checked on every file: `drf_api/` is the floor and imports no app; the social
apps never import the apps that react to them (messaging, notifications, realtime)."""
import ast

import pytest

from testing import BASE_DIR

SOCIAL_APPS = ["users", "profiles", "posts", "comments", "likes", "followers"]
LISTENERS = {"messaging", "notifications", "realtime"}
APPS = {*SOCIAL_APPS, *LISTENERS, "demo"}


def imported_top_level_modules(package):
    """(file, top-level module) for every import in every Python file of a package, tests included."""
    for path in sorted((BASE_DIR / package).rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield path.relative_to(BASE_DIR), name.split(".")[0]


def test_the_project_package_imports_no_app():
    offenders = [(str(path), module) for path, module in imported_top_level_modules("drf_api") if module in APPS]
    assert not offenders, offenders


@pytest.mark.parametrize("app", SOCIAL_APPS)
def test_a_social_app_never_imports_the_apps_that_listen_to_it(app):
    offenders = [(str(path), module) for path, module in imported_top_level_modules(app) if module in LISTENERS]
    assert not offenders, offenders
