"""The house's layers, checked on every file: `drf_api/` is the floor and imports no app; the social
apps never import the apps that react to them (messaging, notifications, realtime) nor the ones on
top of them (moderation, accounts); `safety` stands on the floor beside `media` (the user model it names is
settings.AUTH_USER_MODEL); and no two apps depend on each other, through any chain of imports or
URLconf include()s."""
import ast

import pytest

from testing import BASE_DIR

SOCIAL_APPS = ["users", "profiles", "posts", "comments", "likes", "followers"]
LISTENERS = {"messaging", "notifications", "realtime"}
APPS = {*SOCIAL_APPS, *LISTENERS, "media", "demo", "safety", "moderation", "accounts"}


# The composition root: the one file that names every app's URLconf.
ROOT_URLCONF = "drf_api/urls.py"


def imported_top_level_modules(package, tests=True, root=BASE_DIR):
    """(file, top-level module) for every import and every include("module.urls") in every Python
    file of a package, its tests included unless `tests` is false (historical migrations never)."""
    for path in sorted((root / package).rglob("*.py")):
        relative = path.relative_to(root)
        if "migrations" in relative.parts or (not tests and "tests" in relative.parts):
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "include" and node.args
                  and isinstance(node.args[0], ast.Constant) and str(relative) != ROOT_URLCONF):
                names = [node.args[0].value]
            else:
                continue
            for name in names:
                yield relative, name.split(".")[0]


def test_the_project_package_imports_no_app():
    offenders = [(str(path), module) for path, module in imported_top_level_modules("drf_api") if module in APPS]
    assert not offenders, offenders


@pytest.mark.parametrize("app", SOCIAL_APPS)
def test_a_social_app_never_imports_the_apps_that_listen_to_it(app):
    above = LISTENERS | {"moderation", "accounts"}
    offenders = [(str(path), module) for path, module in imported_top_level_modules(app) if module in above]
    assert not offenders, offenders


def test_safety_imports_no_app():
    """Blocks, mutes and the visibility rule sit on the floor, so that every app, users included,
    can ask them."""
    imported = {module for _, module in imported_top_level_modules("safety", tests=False) if module in APPS}
    assert imported <= {"safety"}, imported


def dependencies(apps, root=BASE_DIR):
    """Each app's set of the other apps it imports or includes, tests aside."""
    return {
        app: {module for _, module in imported_top_level_modules(app, False, root) if module in apps and module != app}
        for app in sorted(apps)
    }


def cycles(graph):
    """Every chain of apps that leads back to where it started, each found once."""
    found = []

    def walk(chain):
        for after in sorted(graph[chain[-1]]):
            if after == chain[0]:
                found.append([*chain, after])
            elif after not in chain and after > chain[0]:
                walk([*chain, after])

    for app in sorted(graph):
        walk([app])
    return found


def test_no_two_apps_depend_on_each_other():
    """Arrows run one way: posts show profiles (and profiles learn their owner's post count from
    the posts app, which adds that column), comments and likes point at posts, and so on. Tests
    may set up rows of any app, so they are not counted."""
    assert cycles(dependencies(APPS | {"drf_api"})) == []


def test_a_cycle_through_an_include_is_found_like_one_through_an_import(tmp_path):
    """The check's own positive control, on three small apps: a → b by include(), b → c by an
    import, c → a by an import inside a function; the tests' imports do not count."""
    for app, source in {
        "a": 'urlpatterns = [path("", include("b.urls"))]',
        "b": "from c.models import Thing",
        "c": "def f():\n    import a.views",
        "d": "",
    }.items():
        (tmp_path / app / "tests").mkdir(parents=True)
        (tmp_path / app / "module.py").write_text(source)
        (tmp_path / app / "tests" / "test_it.py").write_text("import d")
    graph = dependencies({"a", "b", "c", "d"}, root=tmp_path)
    assert graph == {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]
