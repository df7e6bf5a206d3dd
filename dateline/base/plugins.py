"""One way to plug in a part: a registry of classes by name, each named by its dotted path.

Code declares the built-ins by path; settings add more (a dict of name -> dotted path, or of
name -> dict with the path under a key, as DATELINE_SEARCH_BACKENDS does). A class is imported
only when first asked for, so a part nobody uses costs no import (Redis, psycopg). A name
taken twice is refused, naming both paths; a class that is not a subclass of the registry's
base class is refused too; and the system check below imports every configured path at start,
so a typo in the settings fails `check`, `migrate` and `serve`, not the first request.

    registry = Registry("live broker", Broker, setting="DATELINE_LIVE_BROKERS",
                        builtins={"local": "dateline.live.brokers.local.LocalBroker"})
    registry.get("local")  # the class
"""

import weakref
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

# Every registry, for the system check; weak, so that one a test makes goes with the test.
_registries: "weakref.WeakSet[Registry]" = weakref.WeakSet()


class PluginError(ImproperlyConfigured):
    """A plug-in that cannot be found, imported or used."""


class AlreadyRegistered(PluginError):
    """Two plug-ins were given the same name."""


class Registry[T]:
    """Classes of one kind (subclasses of `base`) by name, imported when first asked for."""

    def __init__(
        self,
        kind: str,
        base: type[T],
        *,
        setting: str = "",
        builtins: Mapping[str, str] | None = None,
        path_key: str = "",
        default_path: str = "",
        chosen_by: str = "",
        chosen_key: str = "",
    ) -> None:
        # `path_key`/`default_path`: where a dict entry of the setting names its class, and
        # the class of an entry that names none (DATELINE_SEARCH_BACKENDS' "BACKEND").
        # `chosen_by` (and `chosen_key` in it, for a dict): the setting naming the one in use,
        # which the check finds registered, so that a misspelt name fails at start too.
        self.kind, self.base, self.setting = kind, base, setting
        self.chosen_by, self.chosen_key = chosen_by, chosen_key
        self.path_key, self.default_path = path_key, default_path
        self._declared: dict[str, str] = {}
        self._classes: dict[str, type[T]] = {}
        for name, path in (builtins or {}).items():
            self.register(name, path)
        _registries.add(self)

    def register(self, name: str | type[T], path: str = "") -> Any:
        """Declare a name's dotted path; or, as a class decorator, the class under its `name`."""
        if isinstance(name, type):
            cls = name
            path = f"{cls.__module__}.{cls.__qualname__}"
            self._claim(self._declared, cls.name, path)
            self._classes[path] = self._checked(cls, path, cls.name)
            return cls
        self._claim(self._declared, name, path)
        return path

    def paths(self) -> dict[str, str]:
        """Every name and its dotted path: declared in code, then added by the setting."""
        paths = dict(self._declared)
        for name, entry in self.configured().items():
            self._claim(paths, name, self.path_of(entry))
        return paths

    def configured(self) -> dict[str, Any]:
        """The setting's entries, read afresh so that override_settings is obeyed."""
        return dict(getattr(settings, self.setting, None) or {}) if self.setting else {}

    def path_of(self, entry: Any) -> str:
        """The dotted path a setting's entry names."""
        if not self.path_key:
            return entry
        return entry.get(self.path_key) or self.default_path

    def names(self) -> list[str]:
        return sorted(self.paths())

    def get(self, name: str) -> type[T]:
        """The class registered under `name`."""
        paths = self.paths()
        if name not in paths:
            where = f" or name its class in {self.setting}" if self.setting else ""
            raise PluginError(
                f"No {self.kind} is named {name!r}; choose one of "
                f"{', '.join(sorted(paths)) or 'none'}{where}."
            )
        return self.load(paths[name], name)

    def load(self, path: str, name: str = "") -> type[T]:
        """The class at a dotted path, checked to be one of this registry's kind."""
        if path not in self._classes:
            try:
                found = import_string(path)
            except ImportError as exc:
                raise PluginError(f"{self._called(name)}: cannot import {path!r} ({exc}).") from exc
            self._classes[path] = self._checked(found, path, name)
        return self._classes[path]

    def check(self) -> list[Error]:
        """Every configured path imports a subclass of the base, and no name is taken twice."""
        try:
            paths = self.paths()
        except AlreadyRegistered as exc:
            return [Error(str(exc), id="dateline_base.E003")]
        errors = []
        for name, path in sorted(paths.items()):
            try:
                self.load(path, name)
            except PluginError as exc:
                errors.append(Error(str(exc), hint=self._hint(), id="dateline_base.E002"))
        if self.chosen_by:
            chosen = getattr(settings, self.chosen_by, None)
            where = self.chosen_by
            if self.chosen_key:
                chosen = (chosen or {}).get(self.chosen_key)
                where = f"{self.chosen_by}[{self.chosen_key!r}]"
            if chosen not in paths:
                errors.append(Error(
                    f"{where} is {chosen!r}, and no {self.kind} has that name; choose one of "
                    f"{', '.join(sorted(paths)) or 'none'}.", hint=self._hint(),
                    id="dateline_base.E004"))
        return errors

    def _checked(self, found: Any, path: str, name: str) -> type[T]:
        if not (isinstance(found, type) and issubclass(found, self.base)):
            raise PluginError(
                f"{self._called(name)}: {path!r} is not a {self.base.__qualname__} subclass."
            )
        return found

    def _claim(self, paths: dict[str, str], name: str, path: str) -> None:
        taken = paths.get(name)
        if taken is not None and taken != path:
            raise AlreadyRegistered(
                f"A {self.kind} named {name!r} is already registered ({taken}); give {path} "
                "another name."
            )
        paths[name] = path

    def _called(self, name: str) -> str:
        return f"The {self.kind} {name!r}" if name else f"A {self.kind}"

    def _hint(self) -> str:
        where = f" in {self.setting}" if self.setting else ""
        return (f"Name a {self.base.__module__}.{self.base.__qualname__} subclass by its dotted "
                f"path{where}.")


@register()
def plugins_import(app_configs, **kwargs) -> list[Error]:
    """Import every configured plug-in now rather than at the first request that needs it."""
    registries = sorted(_registries, key=lambda registry: registry.kind)
    return [error for registry in registries for error in registry.check()]
