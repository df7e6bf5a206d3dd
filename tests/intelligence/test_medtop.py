"""A story's Media Topic follows the wire's one rule (dateline.newsroom.medtop): its section's
code, its nearest ancestor's, else its root's default."""

from dateline.intelligence.models import StoryTopic
from dateline.intelligence.records import section_medtop, write_topics
from dateline.intelligence.topics.medtop import section_medtops


def test_a_section_without_a_code_takes_its_roots_default(make_article, make_section):
    business = make_section("Business")  # the demo's sections are made with no code
    commodities = make_section("Commodities", parent=business)
    story = make_article(section=commodities)
    assert section_medtop(story) == "04000000"
    write_topics(story, [], origin="test")
    topic = StoryTopic.objects.get(article=story)
    assert (topic.scheme, topic.code, topic.name, topic.origin) == (
        "medtop", "04000000", "economy, business and finance", "section")


def test_a_sections_own_code_wins_over_the_default(make_article, make_section):
    business = make_section("Business", medtop="04000000")
    media = make_section("Media", parent=business, medtop="01000000")
    assert section_medtop(make_article(section=media)) == "01000000"


def test_a_section_of_no_known_kind_has_none(make_article, make_section):
    assert section_medtop(make_article(section=make_section("World"))) == ""


def test_the_classifier_learns_the_defaults_from_section_paths(db):
    assert section_medtops({"Business/Commodities/Coffee", "Sport", "World/Japan"}) == {
        "Business/Commodities/Coffee": "04000000", "Sport": "15000000"}
