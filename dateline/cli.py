"""The `dateline` command: Dateline's own commands plus every Django management command."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, as `manage.py` would, with Dateline's settings as the default.

    Settings that cannot be used (a variable that is not a number, an unknown database engine:
    dateline/base/environment.py) end the command with their one-line reason and status 2,
    not a traceback from inside Django's settings loader.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dateline.settings.dev")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import ManagementUtility

    utility = ManagementUtility(list(argv if argv is not None else sys.argv))
    # `python -m dateline` runs __main__.py, which Django names "python -m django" in its help
    # ("Type 'python -m django help <subcommand>'"): a command that does not know Dateline's.
    if utility.prog_name == "python -m django":
        utility.prog_name = "python -m dateline"
    try:
        # Django reads --settings and --pythonpath first, then the settings (a read of ours
        # before it would load the default settings whatever --settings says); what it cannot
        # load it keeps, and a command then fails on it. A command's options read the
        # environment too (serve's PORT).
        utility.execute()
        settings.INSTALLED_APPS  # noqa: B018 - `help` and the like never read the settings
    except ImproperlyConfigured as problem:
        print(f"dateline: {problem}", file=sys.stderr)
        sys.exit(2)
