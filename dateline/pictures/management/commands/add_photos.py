"""`dateline add_photos FOLDER`: put a folder's photos in the library (the demo's six real ones).

Each photo is described first by its own IPTC/XMP/EXIF; what the file does not say comes from
the folder's README.md, a Markdown table of `file | size | what | rights` rows (as in
../shared/corpus/photos): "what" is the caption, and up to a colon the title and alt text;
"rights" the usage terms and the credit ("public domain (NASA)" credits NASA, "CC0, Rachel
Michetti" Rachel Michetti).
Running it again adds nothing twice. No story gets a photo: the demo invents none.
"""

import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...library import PhotoRefused, add_photo
from ...models import Photo

SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".tif", ".tiff"}


def described_in_readme(folder: Path) -> dict[str, dict[str, str]]:
    """{file name: {title, caption, alt_text, credit, usage_terms}} from the README's table."""
    readme = folder / "README.md"
    if not readme.exists():
        return {}
    found = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        name, _, what, rights = cells
        credit, terms = _credit(rights)
        short = what.split(":")[0].strip()  # "IPTC's reference image for ...: every field"
        short = short[:1].upper() + short[1:]
        found[name.strip("`")] = {"title": short[:300], "caption": what, "alt_text": short[:500],
                                  "credit": credit, "usage_terms": terms}
    return found


def _credit(rights: str) -> tuple[str, str]:
    """(credit, usage terms) of a rights cell."""
    bracketed = re.fullmatch(r"(.+?)\s*\((.+)\)", rights)
    if bracketed:  # "public domain (NASA)"
        return bracketed[2], rights[0].upper() + rights[1:]
    licence, comma, holder = rights.partition(",")
    if comma and len(licence) <= 12:  # "CC0, Stefan van der Walt"
        return holder.strip(), f"{licence.strip()} ({holder.strip()})"
    return "", rights[0].upper() + rights[1:] if rights else ""


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0].split(": ", 1)[1]

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options) -> None:
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder")
        readme = described_in_readme(folder)
        added = known = 0
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES):
            try:
                with path.open("rb") as handle:
                    photo, created = add_photo(handle, name=path.name, user=None,
                                               origin=Photo.Origin.IMPORT, fields={})
            except PhotoRefused as refusal:
                self.stderr.write(f"{path.name}: {refusal}")
                continue
            blank = {field: value for field, value in readme.get(path.name, {}).items()
                     if value and not getattr(photo, field)}
            if created and blank:  # what the file left empty; never over an editor's words
                Photo.objects.filter(pk=photo.pk).update(**blank)
            added += created
            known += not created
        self.stdout.write(f"Photo library: {added} added, {known} already there.")
