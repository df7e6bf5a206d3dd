"""Dateline uses other packages through their public APIs: the private names it once used
(and their neighbours) stay out of dateline/, read as code, not as comments."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dateline"

# Django's private attributes of requests and responses, each with its public way.
PRIVATE = {
    "_csp_config": "django.views.decorators.csp.csp_override",
    "_csp_ro_config": "django.views.decorators.csp.csp_report_only_override",
    "_csp_nonce": "django.utils.csp.get_nonce / the csp context processor",
    "_has_been_logged": "django.utils.log.log_response",
    "_resource_closers": "HttpResponse.close / request_finished",
    "_messages": "django.contrib.messages.get_messages",
}
# A task's status is django.tasks.TaskResultStatus, never its value spelled out.
TASK_STATUSES = {"READY", "RUNNING", "SUCCESSFUL", "FAILED"}


def private_uses(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE:
            found.append(f"{node.lineno}: .{node.attr}: use {PRIVATE[node.attr]}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in PRIVATE:
                found.append(f"{node.lineno}: '{node.value}': use {PRIVATE[node.value]}")
            elif node.value in TASK_STATUSES:
                found.append(f"{node.lineno}: '{node.value}': use TaskResultStatus")
    return found


def test_the_check_finds_what_was_once_there():
    once = [
        'if not hasattr(response, "_csp_config"):\n    response._csp_config = {}',
        "response._has_been_logged = True",
        'DBTaskResult.objects.filter(status="READY")',
        'getattr(request, "_csp_nonce", None)',
    ]
    assert all(private_uses(code) for code in once)
    assert not private_uses("# the literal 'READY' and ._csp_config in a comment\n"
                            "status = TaskResultStatus.READY")


def test_dateline_uses_no_private_name_of_another_package():
    found = {
        f"{path.relative_to(PACKAGE)}:{use}"
        for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts
        for use in private_uses(path.read_text())
    }
    assert not found, sorted(found)
