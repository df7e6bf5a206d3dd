"""`dateline ensure_editor`: make sure a desk account exists, and say how to log in."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ...roles import CHIEF_EDITOR, CONTRIBUTOR, EDITOR, REPORTER

# The one account `make run` sets up; only it has the shared, stored password.
HOUSE_EDITOR = "editor"


class Command(BaseCommand):
    help = (
        "Create the desk account --username NAME (default 'editor') in --role R (default "
        "Editor) if it is missing, and print how to log in. Every new account gets its own "
        "generated password, printed once; the 'editor' account's is DATELINE_EDITOR_PASSWORD "
        "or the one kept in var/editor-password, shown again while it still opens the account. "
        "An existing account keeps its password unless --reset-password (the 'editor' "
        "account follows DATELINE_EDITOR_PASSWORD whenever it is set), and its role unless "
        "--role is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--username", default=HOUSE_EDITOR,
                            help="The account's user name (default 'editor').")
        parser.add_argument(
            "--role", choices=[CONTRIBUTOR, REPORTER, EDITOR, CHIEF_EDITOR],
            help="The desk role (group) the account gets (a new account: Editor).",
        )
        parser.add_argument("--reset-password", action="store_true",
                            help="Give an existing account a new password, printed once.")
        parser.add_argument("--url", default="", help="Where the desk is, for the message.")

    def handle(self, *args, username: str, role: str | None, reset_password: bool, url: str,
               **options) -> None:
        model = get_user_model()
        # The desk's user form's rules: an empty name, spaces or "/" made accounts the desk
        # could not show or edit, and 200 letters a database error on PostgreSQL.
        try:
            model._meta.get_field("username").run_validators(username)
            if not username:
                raise ValidationError("This field cannot be blank.")
        except ValidationError as error:
            raise CommandError(f"--username {username!r}: {' '.join(error.messages)}") from None
        if username == HOUSE_EDITOR and (chosen := os.environ.get("DATELINE_EDITOR_PASSWORD")):
            # Held to the desk's own password rules (AUTH_PASSWORD_VALIDATORS), as a password
            # changed on the desk is: "short" opened a desk account that publishes.
            try:
                validate_password(chosen, user=model(username=username))
            except ValidationError as error:
                raise CommandError("DATELINE_EDITOR_PASSWORD: "
                                   + " ".join(error.messages)) from None
        user, created = model.objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        house = username == HOUSE_EDITOR
        # The house editor follows DATELINE_EDITOR_PASSWORD whenever it is set, as before.
        new_password = created or reset_password or (
            house and bool(os.environ.get("DATELINE_EDITOR_PASSWORD")))
        password = None
        if new_password:
            password = self._house_password(reset_password) if house \
                else secrets.token_urlsafe(12)
            user.set_password(password)
        elif house:
            # Shown again only while it still opens the account: the file may be gone (a new
            # var/), or the editor may have changed the password on the desk since.
            password = self._stored_password()
            if password and not user.check_password(password):
                password = None
        user.is_staff = True
        user.save()
        if created or role:
            user.groups.set([Group.objects.get(name=role or EDITOR)])
        desk = url or f"http://{os.environ.get('HOST', '127.0.0.1')}:" \
                     f"{os.environ.get('PORT', '8000')}/desk/"
        lines = [f"Desk: {desk}", f"  username: {username}"]
        if password:
            lines.append(f"  password: {password}" + ("" if house or not new_password
                                                      else "  (shown once: note it now)"))
        elif house:
            lines.append("  password: unchanged, and not the one kept in var/editor-password "
                         "(--reset-password gives it a new one)")
        else:
            lines.append("  password: unchanged (--reset-password gives it a new one)")
        if not created:
            lines.append("  (account already existed)")
        roles = list(user.groups.values_list("name", flat=True))
        lines.append(f"  role: {', '.join(roles) or 'none'}")
        if CHIEF_EDITOR not in roles:
            # Only a chief editor adds colleagues' accounts on the desk.
            lines.append(f"  (colleagues' accounts are added by a chief editor: dateline "
                         f"ensure_editor --username NAME --role '{CHIEF_EDITOR}')")
        self.stdout.write("\n".join(lines))

    def _stored_password(self) -> str | None:
        path = settings.VAR_DIR / "editor-password"
        return path.read_text().strip() if path.exists() else None

    def _house_password(self, renew: bool) -> str:
        if chosen := os.environ.get("DATELINE_EDITOR_PASSWORD"):
            return chosen
        path = settings.VAR_DIR / "editor-password"
        if renew or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(12))
            path.chmod(0o600)
        return path.read_text().strip()
