"""Every change of an article's state is an action: checked, done, logged, then announced.

`TRANSITIONS` lists the workflow's moves by name; the desk offers those `is_available` to the
user, and every path (desk views, admin actions, API, the worker's scheduled releases and
embargo ends as SCHEDULER) goes through `execute`, never around it. `audit.log_action` is the
one writer of the audit log. The worker's tasks that end a schedule or an embargo
(`release_due_articles`, `release_embargo`) live beside the actions that book them.
"""

from .audit import SCHEDULER, log_action
from .base import ActionRefused, Transition
from .embargo import Embargo, EmbargoEnds, LiftEmbargo, release_embargo
from .publish import Publish, ReleaseOnSchedule, release_due, release_due_articles
from .return_to_reporter import ReturnToReporter
from .schedule import Schedule
from .submit import Submit
from .unpublish import Unpublish
from .unschedule import Unschedule

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (Submit(), ReturnToReporter(), Schedule(), Publish(), Unschedule(), Unpublish(),
              Embargo(), LiftEmbargo())
}

__all__ = [
    "SCHEDULER", "TRANSITIONS", "ActionRefused", "EmbargoEnds", "ReleaseOnSchedule", "Transition",
    "log_action", "release_due", "release_due_articles", "release_embargo",
]
