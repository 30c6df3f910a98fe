"""The audit journal sits below every app that writes to it, accounts included: its code imports
nothing of the platform but core (users and organisations are named by string in its models)."""

import ast
from pathlib import Path

AUDIT = Path(__file__).resolve().parents[1]


def test_audit_imports_only_core():
    found = []
    for path in AUDIT.rglob("*.py"):
        if "tests" in path.relative_to(AUDIT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            found += [
                (path.name, name)
                for name in names
                if name.startswith("aptic.") and not name.startswith(("aptic.core", "aptic.audit"))
            ]
    assert found == []
