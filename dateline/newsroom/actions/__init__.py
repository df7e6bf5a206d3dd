"""Every change of an article's state is an action: checked, done, logged, then announced.

`TRANSITIONS` lists the workflow's moves by name; the desk offers those `is_available` to the
user, and every path (desk views, admin actions, API) goes through `execute`, never around it.
"""

from .base import ActionRefused, Transition
from .embargo import Embargo, LiftEmbargo
from .publish import Publish, release_due
from .return_to_reporter import ReturnToReporter
from .schedule import Schedule
from .submit import Submit
from .unpublish import Unpublish

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (Submit(), ReturnToReporter(), Schedule(), Publish(), Unpublish(), Embargo(),
              LiftEmbargo())
}

__all__ = ["TRANSITIONS", "ActionRefused", "Transition", "release_due"]
