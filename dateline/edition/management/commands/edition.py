"""`dateline edition build YYYY-MM-DD [--to YYYY-MM-DD]`, `dateline edition send YYYY-MM-DD` and
`dateline edition forget ADDRESS`."""

from argparse import ArgumentTypeError
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...assembly import build_edition, window


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
        send.add_argument("--even-if-empty", action="store_true",
                          help="Send it even when no story is in it (a quiet day).")
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
        self._day_with_news(options.get("to") or day)
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
            if not edition.items.exists() and not options["even_if_empty"]:
                raise CommandError(f"{edition} holds no story: nothing sent (--even-if-empty "
                                   "sends it all the same).")
            try:
                sent = send_edition(edition)
            except SendingStopped as stopped:
                raise CommandError(str(stopped)) from None
            self.stdout.write(f"{edition}: sent to {sent} more subscriber(s).")

    @staticmethod
    def _day_with_news(day: date) -> None:
        """A mistyped year mailed every subscriber an empty edition of 2031, then the site's
        "latest edition"; one of 1700 was a public page. Only a day whose 24 hours have begun
        is built or sent."""
        start, _ = window(day)
        if start > timezone.now():
            raise CommandError(f"The edition of {day:%Y-%m-%d} covers the 24 hours from "
                               f"{timezone.localtime(start):%Y-%m-%d %H:%M}, still to come.")

    def build_archive(self) -> None:
        from ...assembly import archive_days
        from ...models import Edition

        existing = set(Edition.objects.values_list("date", flat=True))
        missing = [day for day in archive_days() if day not in existing]
        for day in missing:
            build_edition(day)
        self.stdout.write(f"Built {len(missing)} back issue(s); {len(existing)} were there.")
