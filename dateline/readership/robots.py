"""Tell robots from readers by the user agent: robots are not counted."""

import re
from functools import lru_cache

from crawleruseragents import CRAWLER_PATTERNS

# Browsers send a handful of distinct user agents, robots a few more: the answers are kept so
# that a beacon costs a dictionary lookup, not 1,500 patterns. Bounded against made-up ones.
_CACHED_AGENTS = 4096
# Longer than any browser's; a longer one is someone's payload, not a reader.
_LONGEST = 512
# Headless browsers run JavaScript, so the beacon alone would not stop them, and tools that
# fetch pages name themselves "SomethingBot/1.0" or "a crawler": words the maintained list
# leaves to its own patterns (a phone named "Cubot X30" is no robot: "bot" must end a name).
_ALSO_ROBOTS = re.compile(r"\bbot\b|[a-z]bot/|crawler|spider|headless|phantomjs|lighthouse",
                          re.IGNORECASE)


@lru_cache(maxsize=_CACHED_AGENTS)
def is_robot(user_agent: str) -> bool:
    """Whether this user agent is a robot's (or none at all: every browser sends one)."""
    if not user_agent or len(user_agent) > _LONGEST:
        return True
    if _ALSO_ROBOTS.search(user_agent):
        return True
    return CRAWLER_PATTERNS.case_sensitive.search(user_agent) is not None
