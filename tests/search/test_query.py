from dateline.search.backends.postgres import tsquery
from dateline.search.backends.sqlite import match_expression
from dateline.search.query import Term, parse


def test_words_phrases_prefixes_or_and_exclusions_are_understood():
    parsed = parse('inflation "central bank" rate* OR rates -football')
    assert parsed.groups == [
        [Term(("inflation",))],
        [Term(("central", "bank"))],
        [Term(("rate",), prefix=True), Term(("rates",))],
    ]
    assert parsed.excluded == [Term(("football",))]


def test_a_minus_before_a_phrase_leaves_the_phrase_out():
    """-"japan trade" searched for the phrase itself: the ten stories holding it."""
    parsed = parse('trade -"japan trade"')
    assert parsed.groups == [[Term(("trade",))]]
    assert parsed.excluded == [Term(("japan", "trade"))]
    assert match_expression(parsed) == '(("trade")) NOT ("japan trade")'
    assert tsquery(parsed) == "('trade') & !('japan' <-> 'trade')"


def full_width(text: str) -> str:
    """`text` as a CJK keyboard types it: full-width letters, marks and spaces."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


def test_full_width_letters_and_marks_read_as_the_ones_they_stand_for():
    """Typed on a CJK keyboard, "OIL" in full-width letters found nothing where "OIL" found a
    thousand stories."""
    typed = 'OIL price* OR rates -football "central bank"'
    assert full_width(typed) != typed
    assert parse(full_width(typed)) == parse(typed)
    assert parse(full_width('"central bank"')).groups == [[Term(("central", "bank"))]]


def test_each_backend_spells_the_same_tree_in_its_own_syntax():
    parsed = parse('"central bank" infla* OR prices -war')
    assert match_expression(parsed) == (
        '(("central bank") AND ("infla"* OR "prices")) NOT ("war")'
    )
    assert tsquery(parsed) == "('central' <-> 'bank') & ('infla':* | 'prices') & !('war')"


def test_operators_and_syntax_of_the_query_languages_never_pass_through():
    parsed = parse('headline:foo NEAR( ^bar "unbalanced OR - * \'x\' & | !')
    words = [w for group in parsed.groups for t in group for w in t.words]
    assert words == ["headline", "foo", "near", "bar", "unbalanced", "or", "x"]
    assert all(ch not in match_expression(parsed) for ch in ":^'&|!")


def test_nothing_searchable_is_an_empty_query():
    for text in ("", "   ", "OR", "-", "*", '"', "-war", "🙂🙂", "\x00\x01"):
        assert not parse(text)


def test_long_queries_are_cut_to_a_bounded_number_of_terms():
    assert sum(len(g) for g in parse("word " * 5000).groups) == 10
