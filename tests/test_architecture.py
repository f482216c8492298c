"""The apps' import graph, computed from the source: no cycle, and every import points down.

The layers, bottom to top (an app imports only apps of lower layers):

    security, staff → audit → cases → dashboard, exchange, showcase → reports, grassroots, demo

with one leaf beneath them all: `grassroots.language`, the bilingual vocabulary (which language
a page is in, which text of a bilingual field it shows), which imports no app and which every
app uses. It is a unit of its own here, apart from the rest of `grassroots`.

`cases` holds the register and the figures core (`cases.stats`, `cases.figures`) that every
page app reads; the page apps do not import one another. A cross-app import inside a function
would hide an edge from this picture, so there are none, apart from an AppConfig.ready().

Also here: migrations run no project code, one function bounds a query's fiscal years, tests act
as personas, and no module takes another module's private (underscored) names.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A module of an app that is a layer of its own (below every app), and its file.
LEAVES = {"grassroots.language": ROOT / "grassroots" / "language.py"}
LAYERS = {
    "grassroots.language": -1,
    "security": 0,
    "staff": 0,
    "audit": 1,
    "cases": 2,
    "dashboard": 3,
    "exchange": 3,
    "showcase": 3,
    "reports": 4,
    "grassroots": 4,
    # The demonstration data: it writes cases and showcase pages; nothing imports it.
    "demo": 4,
}


def _imported_modules(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        # `from grassroots import language` imports the leaf, not the app.
        return [f"{node.module}.{alias.name}" for alias in node.names]
    return []


def _unit(module: str) -> str:
    """The app (or leaf) a module belongs to."""
    for leaf in LEAVES:
        if module == leaf or module.startswith(f"{leaf}."):
            return leaf
    return module.split(".")[0]


def _files(unit: str) -> list[Path]:
    if unit in LEAVES:
        return [LEAVES[unit]]
    leaves = set(LEAVES.values())
    return [path for path in sorted((ROOT / unit).rglob("*.py")) if path not in leaves]


def _imports(path: Path):
    """(imported app, line, whether inside a function other than AppConfig.ready) per import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []

    def visit(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, in_function or child.name != "ready" or path.name != "apps.py")
                continue
            for module in _imported_modules(child):
                app = _unit(module)
                if app in LAYERS:
                    found.append((app, child.lineno, in_function))
            visit(child, in_function)

    visit(tree, False)
    return found


def import_graph() -> dict[str, dict[str, list[str]]]:
    """{app: {imported app: ["path:line", ...]}} over every module of every app."""
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in LAYERS}
    for app in LAYERS:
        for path in _files(app):
            for imported, line, _in_function in _imports(path):
                if imported != app:
                    where = f"{path.relative_to(ROOT)}:{line}"
                    graph[app].setdefault(imported, []).append(where)
    return graph


def _cycle(graph) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(app):
        state[app] = 1
        stack.append(app)
        for other in sorted(graph[app]):
            if state.get(other) == 1:
                return [*stack[stack.index(other) :], other]
            if other not in state:
                found = visit(other)
                if found:
                    return found
        stack.pop()
        state[app] = 2
        return None

    for app in sorted(graph):
        if app not in state:
            found = visit(app)
            if found:
                return found
    return None


def test_the_apps_import_one_another_without_a_cycle():
    assert _cycle(import_graph()) is None, " → ".join(_cycle(import_graph()))


def test_every_import_between_apps_points_down_the_layers():
    upward = [
        f"{app} imports {other} ({', '.join(places)})"
        for app, edges in import_graph().items()
        for other, places in edges.items()
        if LAYERS[other] >= LAYERS[app]
    ]
    assert upward == []


def test_no_import_between_apps_hides_inside_a_function():
    hidden = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for app in LAYERS
        for path in _files(app)
        for imported, line, in_function in _imports(path)
        if in_function and imported != app
    ]
    assert hidden == []


def test_the_figures_core_lives_below_the_pages():
    graph = import_graph()
    assert "dashboard" not in graph["cases"]
    for page_app in ("dashboard", "exchange", "showcase"):
        assert "cases" in graph[page_app]


def _references_of_fields(tree) -> set[int]:
    """The ids of the nodes inside a field's `upload_to`, `validators` or `default`: the only
    places where Django's migration writer names project code (a callable it serialised)."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in {"upload_to", "validators", "default"}:
            inside.update(id(child) for child in ast.walk(node.value))
    return inside


def test_no_migration_runs_the_projects_own_code():
    """A migration runs against the models as they were; live code changes under it. Besides
    Django, a migration names project code only where Django's writer put a field's callable
    (`upload_to=showcase.models.hero_upload_to`); no data step calls into the project."""
    offenders = []
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        tree = ast.parse(path.read_text(), str(path))
        allowed = _references_of_fields(tree)
        project = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and not (node.module or "").startswith("django"):
                offenders.append(f"{path.relative_to(ROOT)}: from {node.module} import ...")
            if isinstance(node, ast.Import):
                project |= {a.name for a in node.names if not a.name.startswith("django")}
        for node in ast.walk(tree):
            named = isinstance(node, ast.Attribute) and ast.unparse(node.value) in project
            if named and id(node) not in allowed:
                offenders.append(f"{path.relative_to(ROOT)}: {ast.unparse(node)}")
    assert not offenders, offenders


def test_one_function_decides_which_fiscal_years_a_query_may_name():
    """`cases.stats.fiscal_year_problem` is the only bound check on a fiscal year in a query:
    no other module compares a year with FY2017 (the model's own check of a case's dates is
    the rule for a record, not for a query)."""
    pattern = re.compile(r"[<>]=?\s*rules\.FIRST_FISCAL_YEAR|FIRST_FISCAL_YEAR\s*[<>]")
    allowed = {
        ROOT / "cases" / name for name in ("stats/filters.py", "rules.py", "models/case.py")
    }
    offenders = [
        str(path.relative_to(ROOT))
        for unit in LAYERS
        for path in _files(unit)
        if path not in allowed and pattern.search(path.read_text())
    ]
    assert not offenders, offenders


def test_tests_act_as_the_persona_who_would_do_the_work():
    """The superuser sees everything and so hides permission mistakes: tests sign in as the HQ
    editor, a consulate editor, a viewer (tests/conftest.py). Only a test about what the
    superuser alone does (making accounts) uses it."""
    superuser = re.compile(r"\badmin_client\b|\badmin_user\b|create_superuser|is_superuser=True")
    # conftest.py names it in a docstring, this file in its pattern.
    allowed = {"conftest.py": 1, "test_security.py": 2, "test_architecture.py": 2}
    found = {
        path.name: len(superuser.findall(path.read_text()))
        for path in sorted((ROOT / "tests").glob("*.py"))
    }
    assert {name: n for name, n in found.items() if n} == {
        name: n for name, n in allowed.items() if n
    }


def _project_files() -> list[Path]:
    """Every Python file of the project: the apps, bench/, tools/, tests/ and the top level."""
    skip = {".venv", ".tools", "node_modules", "migrations"}
    return [
        path for path in sorted(ROOT.rglob("*.py")) if not skip & set(path.relative_to(ROOT).parts)
    ]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _project_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private_names_taken(path: Path) -> list[str]:
    """`from module import _name`, and (outside tests/) `module._name` of a project module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(ROOT)
    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{where}:{node.lineno}: from {source} import {alias.name}")
                if node.level == 0:
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                modules[bound] = alias.name if alias.asname else bound
    # A test may look into the module it tests (reset its state, call a step on its own).
    if where.parts[0] == "tests":
        return found
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        owner = ast.unparse(node.value)
        head, _dot, rest = owner.partition(".")
        if head in modules and _project_module(".".join(filter(None, [modules[head], rest]))):
            found.append(f"{where}:{node.lineno}: {owner}.{node.attr}")
    return found


def test_no_module_takes_another_modules_private_names():
    """A leading underscore says "only this module uses it". A name another module needs is
    made public where it is defined (or the code moves to where it is used), so reading a
    module tells what the rest of the project relies on."""
    offenders = [found for path in _project_files() for found in _private_names_taken(path)]
    assert not offenders, offenders
