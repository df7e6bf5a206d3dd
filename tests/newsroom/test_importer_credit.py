"""Imported copy is credited to the people its record names, else to its agency, never invented."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from dateline.newsroom.credit import byline, rights
from dateline.newsroom.importer import ImportProfile, import_file
from dateline.newsroom.models import Article, Author, Source

from .test_importer import wire, write_jsonl

pytestmark = pytest.mark.django_db

REUTERS = '''
[sources.Reuters]
url = "https://www.reuters.com/"
rights_holder = "Reuters"
usage_terms = "Reuters copy: ask Reuters."
'''


def profile(tmp_path, text=REUTERS, name="p.toml"):
    path = tmp_path / name
    path.write_text(text)
    return ImportProfile.load(path)


def test_wire_copy_naming_no_reporter_is_credited_to_the_agency(tmp_path):
    import_file(write_jsonl(tmp_path / "a.jsonl", wire()), profile(tmp_path))
    article = Article.objects.get()
    assert list(article.authors.all()) == []
    assert byline(article) == "Reuters"
    assert Author.objects.count() == 0
    found = rights(article)
    assert (found.holder, found.terms) == ("Reuters", "Reuters copy: ask Reuters.")


def test_a_reporter_the_record_names_is_the_byline(tmp_path):
    import_file(write_jsonl(tmp_path / "a.jsonl", wire(authors=["Jane Doe"])), profile(tmp_path))
    assert byline(Article.objects.get()) == "Jane Doe"


def test_a_profile_that_invents_bylines_is_refused_with_the_fix(tmp_path):
    with pytest.raises(ImproperlyConfigured, match=r"remove it.*credited to its source"):
        profile(tmp_path, '[authors]\ndefault = ["Tom Hartley"]\n')


@pytest.mark.parametrize("demo", ["demo/reuters.toml", "demo/bbc.toml"])
def test_the_demo_profiles_invent_no_one_and_declare_their_agency_rights(demo):
    loaded = ImportProfile.load(demo)
    assert all(r["rights_holder"] for r in loaded.source_rights.values())
    assert loaded.source_rights


def test_rights_declared_later_reach_a_source_imported_before(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", wire())
    import_file(path, ImportProfile())
    assert Source.objects.get().rights_holder == ""
    import_file(path, profile(tmp_path))
    assert Source.objects.get().rights_holder == "Reuters"


def test_reimporting_with_the_corrected_profile_drops_invented_bylines(tmp_path):
    """A database filled by the old profile: every wire story bylined to a made-up name."""
    path = write_jsonl(tmp_path / "a.jsonl", wire("r-1"), wire("r-2"), wire("r-3"))
    import_file(path, ImportProfile())
    invented = Author.objects.create(name="Tom Hartley")
    for article in Article.objects.all():
        article.authors.add(invented)
    # As the old importer left them: fingerprints of the old profile, untouched since.
    Article.objects.update(import_fingerprint="made with [authors] default")
    edited = Article.objects.get(external_id="r-3")
    edited.headline = "Bahia cocoa review, edited"
    edited.save()  # a desk edit: modified after its import

    report = import_file(path, profile(tmp_path))

    assert (report.updated, report.kept_desk_edits) == (2, 1)
    assert [byline(a) for a in Article.objects.exclude(pk=edited.pk)] == ["Reuters", "Reuters"]
    # The desk's version is the desk's, byline included, until it is re-imported over it.
    assert byline(Article.objects.get(pk=edited.pk)) == "Tom Hartley"
    import_file(path, profile(tmp_path), overwrite_desk_edits=True)
    assert byline(Article.objects.get(pk=edited.pk)) == "Reuters"
