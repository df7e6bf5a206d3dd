"""`dateline edition build YYYY-MM-DD [--to YYYY-MM-DD]`, `dateline edition send YYYY-MM-DD` and
`dateline edition forget ADDRESS`."""

from argparse import ArgumentTypeError
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from ...assembly import build_edition


def parse_day(value: str) -> date:
    # ArgumentTypeError, not CommandError: argparse reads the arguments before Django's
    # handling of CommandError begins, so a CommandError here came out as a traceback.
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date; write YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Build daily editions (any past day, so an archive gets its back issues) or send one."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="Build (or top up) the edition of a day.")
        build.add_argument("day", type=parse_day, nargs="?")
        build.add_argument("--to", type=parse_day, help="Build every day up to this one too.")
        build.add_argument(
            "--archive", action="store_true",
            help="Build every past day's edition that has stories and no edition yet (an "
                 "imported archive's back issues; quick to run again).")
        send = sub.add_parser("send", help="Send a day's edition to the confirmed subscribers "
                                           "who do not have it yet (safe to run again).")
        send.add_argument("day", type=parse_day)
        forget = sub.add_parser("forget", help="Erase a reader's address from the newsletter's "
                                               "list, and what was kept with it (an erasure "
                                               "request).")
        forget.add_argument("address")

    def handle(self, *args, action: str, day: date | None = None, **options) -> None:
        if action == "forget":
            from ...subscriptions import forget_address

            if not forget_address(options["address"]):
                raise CommandError("No subscriber has that address.")
            self.stdout.write("Forgotten: the address and its deliveries are deleted.")
            return None
        if action == "build" and options.get("archive"):
            return self.build_archive()
        if day is None:
            raise CommandError("Give a day (YYYY-MM-DD), or --archive.")
        if action == "build":
            last = options.get("to") or day
            if last < day:
                raise CommandError("--to is before the first day.")
            while day <= last:
                edition = build_edition(day)
                self.stdout.write(f"{edition}: {edition.items.count()} stories")
                day += timedelta(days=1)
        else:
            from ...models import Edition
            from ...sending import SendingStopped, send_edition

            edition = Edition.objects.filter(date=day).first() or build_edition(day)
            try:
                sent = send_edition(edition)
            except SendingStopped as stopped:
                raise CommandError(str(stopped)) from None
            self.stdout.write(f"{edition}: sent to {sent} more subscriber(s).")

    def build_archive(self) -> None:
        from ...assembly import archive_days
        from ...models import Edition

        existing = set(Edition.objects.values_list("date", flat=True))
        missing = [day for day in archive_days() if day not in existing]
        for day in missing:
            build_edition(day)
        self.stdout.write(f"Built {len(missing)} back issue(s); {len(existing)} were there.")
