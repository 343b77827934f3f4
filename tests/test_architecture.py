"""The layout keeps its promises to the next engineer: who may import whom, and no circles.

Read from the source with `ast`, so a lazy import inside a function counts as much as one at
the top of a module.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "assets",
    "audit",
    "guidelines",
    "ops",
    "policies",
    "portal",
    "privacypass",
    "sharing",
    "tracking",
)
# STYLE.md rule 7: which app may import which (besides itself).
MAY_IMPORT = {
    # Staff actions: written by the apps that act, it imports none of them.
    "audit": set(),
    "accounts": {"audit"},
    "assets": {"accounts", "audit"},
    # The anonymous tokens: the account-aware side of counting, so tracking never sees a user.
    "privacypass": {"accounts"},
    "tracking": {"accounts", "assets", "privacypass"},
    "policies": {"accounts", "assets"},
    "guidelines": {"accounts", "assets", "audit", "policies"},
    # Links for people outside the company: they reach artwork, and nothing reaches them.
    "sharing": {"accounts", "assets", "audit"},
    # Health, metrics and logs for operators: metrics read the renditions waiting.
    "ops": {"assets"},
}
AUDIENCE_VIEWS = {
    "assets.views.browse",
    "assets.views.downloads",
    "assets.views.library",
    "assets.views.review",
}


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules a file imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in graph[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return found


def test_no_module_of_the_project_imports_itself_through_others():
    assert circles(import_graph()) == []


def test_each_app_imports_only_the_apps_the_style_guide_allows():
    wrong = []
    for module, targets in import_graph().items():
        app = module.split(".")[0]
        for target in targets:
            other = target.split(".")[0]
            if other != app and other not in MAY_IMPORT.get(app, set(APPS)):
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_view_module_for_one_audience_imports_another():
    graph = import_graph()
    wrong = [
        f"{module} imports {target}"
        for module in AUDIENCE_VIEWS
        for target in graph[module]
        if target in AUDIENCE_VIEWS
    ]
    assert wrong == []


def test_what_the_portal_wires_is_imported_by_no_app():
    graph = import_graph()
    wrong = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if not module.startswith("portal")
        for target in targets
        if target.startswith("portal")
    ]
    assert wrong == []
