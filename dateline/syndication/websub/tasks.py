"""The hub's background work: verify subscribers' requests and push changed feeds."""

from django.tasks import task

from . import distribution, verification


@task()
def verify_intent(intent_id: int) -> bool:
    """Ask the callback to confirm a subscribe or unsubscribe request, and apply it if it does."""
    return verification.verify(intent_id)


@task()
def distribute_pending() -> int:
    """Push the feeds marked changed to their subscribers; schedule retries of failed pushes."""
    return distribution.distribute_pending()
