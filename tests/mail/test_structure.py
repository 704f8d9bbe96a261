"""How the mail app hangs together: imports flow one way (tasks → services), and the
after-commit hand-off relies on no private Django state."""

import ast
import subprocess
import sys
from pathlib import Path

import mail
from mail import services
from mail.tasks import deliver_emails as deliver_emails_task
from minex.celery import app as celery_app

MAIL = Path(mail.__file__).parent


def _modules(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(), filename=str(path))


def _imported_modules(tree: ast.AST, package: str) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the module's package
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_mail_services_never_import_the_tasks_module():
    offenders = [
        path.name
        for path, tree in _modules(MAIL / "services")
        if "mail.tasks" in _imported_modules(tree, "mail.services")
    ]

    assert offenders == []


def test_mail_services_publish_the_delivery_task_by_its_registered_name():
    # The name the services publish resolves, in the project's Celery app, to the task itself
    # (so eager mode runs it in-process and a worker knows it).
    registered = celery_app.tasks[services.DELIVER_EMAILS_TASK]
    assert registered is deliver_emails_task._get_current_object()


def test_mail_reads_no_private_transaction_state():
    private = {"run_on_commit", "atomic_blocks", "savepoint_state"}
    used = sorted(
        f"{path.name}:{node.lineno} {node.attr}"
        for path, tree in _modules(MAIL)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in private
    )

    assert used == []


def test_delivery_task_is_registered_in_a_process_that_never_imported_it():
    # A web process imports no tasks module by itself; publishing by name must still find the
    # task (eager mode runs only registered tasks, and ignores an unknown name silently).
    script = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "print('mail.tasks.deliver_emails' in current_app.tasks)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )

    assert result.stdout.strip() == "True", result.stderr
