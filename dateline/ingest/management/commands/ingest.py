"""`dateline ingest poll [--feed ID]` polls feeds now; `dateline ingest purge` forgets the old."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = ("Poll outlets' feeds now (all that are due, or one by --feed, even if not due), "
            "or purge expired items and week-old unreadable payloads.")

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        poll = sub.add_parser("poll", help="Poll the due feeds, or the one named by --feed.")
        poll.add_argument("--feed", type=int, help="A feed's id: polled even if not due.")
        sub.add_parser("purge", help="Forget expired items and old unreadable payloads.")

    def handle(self, *args, action: str, **options) -> None:
        from dateline.ingest.models import Feed
        from dateline.ingest.polling import poll, poll_due
        from dateline.ingest.tasks import purge_expired_items, purge_failed_payloads

        if action == "purge":
            items, payloads = purge_expired_items(), purge_failed_payloads()
            self.stdout.write(f"Purged {items} expired items and {payloads} old payloads.")
            return
        if options["feed"] is not None:
            feed = Feed.objects.filter(pk=options["feed"]).first()
            if feed is None:
                raise CommandError(f"No feed has the id {options['feed']}.")
            outcomes = [(feed, poll(feed))]
        else:
            outcomes = poll_due()
        for feed, outcome in outcomes:
            if outcome.ok:
                news = "nothing new" if outcome.not_modified else (
                    f"{outcome.created} new, {outcome.changed} changed")
                self.stdout.write(f"{feed.name}: {news}.")
            else:
                self.stdout.write(f"{feed.name}: failed: {outcome.error}")
        if not outcomes:
            self.stdout.write("No feed is due.")
