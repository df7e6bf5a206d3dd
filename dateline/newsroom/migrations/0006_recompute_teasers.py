from django.db import migrations

# Teasers used to stop at the first full stop before a capital, so "The U.S. Dollar..." read
# "The U.S."; derive them again with the sentence rules of that time (kept here, as a
# migration must not change when the code does).
import re  # noqa: E402

_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[A-Z\"“‘(])")  # noqa: RUF001
_TAG = re.compile(r"<[^>]+>")
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "gov", "sen", "rep", "rev", "lt",
    "col", "capt", "sgt", "co", "corp", "inc", "ltd", "plc", "bros", "no", "vs", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
}


def _first_sentence(markup: str, limit: int = 300) -> str:
    import html

    text = " ".join(html.unescape(_TAG.sub(" ", markup)).split())
    sentence = text
    for boundary in _BOUNDARY.finditer(text):
        candidate = text[: boundary.start()].rstrip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".!?\"'”’)").lower()  # noqa: RUF001
        if _INITIALS.search(candidate) or last_word in _ABBREVIATIONS:
            continue
        if len(candidate) >= 20:
            sentence = candidate
            break
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def recompute(apps, schema_editor):
    Article = apps.get_model("newsroom", "Article")
    batch = []
    for article in Article.objects.filter(standfirst="").only("body", "teaser").iterator(2000):
        teaser = _first_sentence(article.body)[:600]
        if teaser != article.teaser:
            article.teaser = teaser
            batch.append(article)
        if len(batch) >= 1000:
            Article.objects.bulk_update(batch, ["teaser"])
            batch = []
    Article.objects.bulk_update(batch, ["teaser"])


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0005_top_story_index")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
