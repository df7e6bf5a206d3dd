"""Who may change a photo's words, as the apps above that show it say.

A photo's alt text, caption and credit go out wherever it is shown. The stories that carry it
are the newsroom's (PhotoAdmin asks can_edit of each); an app above pictures that shows photos
too (ads: a campaign's image) adds a guard at ready(), so that pictures names none of them.
A guard answers whether `user` may change `photo` as far as its own uses go.
"""

from collections.abc import Callable

Guard = Callable[[object, object], bool]
_guards: dict[str, Guard] = {}


def add(name: str, guard: Guard) -> None:
    """Register `guard` under `name`; a name taken by another guard is refused."""
    if _guards.get(name, guard) is not guard:
        raise ValueError(f"A photo guard named {name!r} is registered already.")
    _guards[name] = guard


def may_change(user, photo) -> bool:
    return all(guard(user, photo) for guard in _guards.values())
