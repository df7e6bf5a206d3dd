"""`dateline import FILE.jsonl ...`: load articles from JSON Lines archives."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, connection
from tqdm import tqdm

from ...importer import ImportProfile, import_file

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import articles from JSON Lines files (one JSON object a line; see the README). "
        "Bad records are reported with their line number and skipped; the rest import. "
        "Re-importing a file updates the articles it created instead of duplicating them."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE.jsonl")
        parser.add_argument(
            "--profile", type=Path,
            help="TOML file mapping the archive's codes to sections and tag names, its "
            "sources' rights and its headline style (examples in demo/).",
        )
        parser.add_argument(
            "--overwrite-desk-edits", action="store_true",
            help="Replace articles edited in the desk since their last import "
            "(by default the desk's version is kept).",
        )
        parser.add_argument(
            "--strict", action="store_true", help="Exit with status 1 if any record is refused."
        )
        parser.add_argument(
            "--progress", choices=["auto", "always", "never"], default="auto",
            help="Show a progress bar (auto: when writing to a terminal).",
        )

    def handle(self, *args, **options) -> None:
        try:
            profile = ImportProfile.load(options["profile"]) if options["profile"] else None
        except OSError as error:  # missing, a folder, unreadable: said like a missing FILE
            raise CommandError(f"{options['profile']}: {error.strerror or error}") from None
        refused = 0
        for path in options["files"]:
            if path.is_dir():
                raise CommandError(f"{path}: a folder; name the JSON Lines files in it")
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                report = self._import(path, profile, options)
            except OperationalError as error:  # read-only, full, locked for too long
                raise CommandError(f"Cannot write the import of {path} to the database: "
                                   f"{error}. What was written before it is kept; running "
                                   "the import again adds nothing twice.") from None
            refused += len(report.errors)
        # Fresh statistics keep the query planner on the right indexes for the new data.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize" if connection.vendor == "sqlite" else "ANALYZE")
        if refused and options["strict"]:
            sys.exit(1)

    def _import(self, path: Path, profile, options):
        show = {"auto": None, "always": False, "never": True}[options["progress"]]
        with tqdm(
            total=path.stat().st_size, unit="B", unit_scale=True, desc=path.name,
            disable=show, file=sys.stderr, leave=False,
        ) as bar:
            report = import_file(
                path, profile, overwrite_desk_edits=options["overwrite_desk_edits"],
                on_bytes=bar.update,
            )
        for line, reason in report.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"{path}:{line}: {reason}")
        if len(report.errors) > SHOWN_ERRORS:
            self.stderr.write(f"{path}: … and {len(report.errors) - SHOWN_ERRORS} more refused")
        for line, problem in report.warnings[:SHOWN_ERRORS]:
            self.stderr.write(f"{path}:{line}: imported, but {problem}")
        summary = (
            f"{path}: {report.created:,} created, {report.updated:,} updated, "
            f"{report.unchanged:,} unchanged, {len(report.errors):,} refused"
        )
        if report.warnings:
            summary += f", {len(report.warnings):,} photo problems"
        if report.kept_desk_edits:
            summary += f", {report.kept_desk_edits:,} kept as edited in the desk"
        self.stdout.write(self.style.SUCCESS(summary) if not report.errors else summary)
        return report
