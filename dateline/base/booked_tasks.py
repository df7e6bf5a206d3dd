"""Migrations' help when a task moves: the rows of tasks still waiting name it by path.

A booked task (django-tasks-db's `DBTaskResult`) names its function by dotted path, and the
worker imports that path when the task falls due: a task moved to another module is found by
its waiting rows only once they are rewritten. Finished rows keep the path they ran under,
as history. Used by data migrations (`RunPython(moved_tasks(MOVED), moved_tasks(MOVED,
back=True))`), so it reads the model from the migration's state, never imports it.
"""

from collections.abc import Callable

from django.tasks import TaskResultStatus


def moved_tasks(moved: dict[str, str], back: bool = False) -> Callable:
    """A RunPython function rewriting waiting tasks from each old path to its new one."""
    paths = {new: old for old, new in moved.items()} if back else moved

    def rewrite(apps, schema_editor) -> None:
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        waiting = DBTaskResult.objects.using(schema_editor.connection.alias).filter(
            status=TaskResultStatus.READY)
        for old, new in paths.items():
            waiting.filter(task_path=old).update(task_path=new)

    return rewrite
