"""Production settings (dateline/settings/prod.py: DATELINE_DB_REPLICA_HOSTS and the router)
for tests/db/test_replica.py's server and desk, with static files served from the apps'
folders instead of collected (collectstatic is a deployment's check, not this test's)."""

from dateline.settings.prod import *  # noqa: F403
from dateline.settings.prod import STORAGES

STORAGES = {**STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
# The test's replica applies each change 4 s late (recovery_min_apply_delay): the desk
# waits for it; a rest (the desk's, when told not to wait) is over well before the replica
# catches up, and a replica back from a stop is tried again soon.
DATELINE_DB_REPLICA_WAIT_MS = 10_000
DATELINE_DB_REPLICA_REST_SECONDS = 0.5
