"""`dateline ensure_editor`: make sure the desk has an editor account, and say how to log in."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from ...roles import CHIEF_EDITOR, CONTRIBUTOR, EDITOR, REPORTER


class Command(BaseCommand):
    help = (
        "Create the desk account USERNAME (default 'editor') if it is missing, in the given "
        "role (default Editor), and print how to log in. The password is "
        "DATELINE_EDITOR_PASSWORD, or one generated once and kept in var/editor-password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default="editor")
        parser.add_argument(
            "--role", default=EDITOR, choices=[CONTRIBUTOR, REPORTER, EDITOR, CHIEF_EDITOR],
            help="The desk role (group) the account gets.",
        )
        parser.add_argument("--url", default="", help="Where the desk is, for the message.")

    def handle(self, *args, username: str, role: str, url: str, **options) -> None:
        password = os.environ.get("DATELINE_EDITOR_PASSWORD") or self._stored_password()
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        if created or os.environ.get("DATELINE_EDITOR_PASSWORD"):
            user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        desk = url or f"http://{os.environ.get('HOST', '127.0.0.1')}:" \
                     f"{os.environ.get('PORT', '8000')}/desk/"
        self.stdout.write(
            f"Desk: {desk}\n  username: {username}\n  password: {password}"
            + ("" if created else "  (account already existed)")
        )

    def _stored_password(self) -> str:
        path = settings.VAR_DIR / "editor-password"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        return path.read_text().strip()
