"""Whole numbers from outside held to a column's width (dateline.base.numbers)."""

import pytest

from dateline.base.numbers import WIDEST, TooWide, json_loads, too_wide


@pytest.mark.parametrize("text, wide", [
    (str(WIDEST), False), (str(WIDEST + 1), True), (f"-{WIDEST}", False),
    (f"-{WIDEST + 2}", True), ("0", False), (" 99999999999999999999 ", True),
    ("x", False), ("", False), ("1e400", False), ("٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩٩", False),
    ("9" * 5000, True), ("-" + "9" * 5000, True), ("0" * 30 + "7", False), ("-0", False),
])
def test_too_wide(text, wide):
    assert too_wide(text) is wide


def test_json_within_the_width_is_read_as_json_reads_it():
    assert json_loads(f'{{"a": [{WIDEST}, -{WIDEST}, 1.5, "99999999999999999999"]}}') == {
        "a": [WIDEST, -WIDEST, 1.5, "99999999999999999999"]}


def test_json_with_a_whole_number_wider_than_any_column_is_refused():
    for body in (f"{WIDEST + 1}", f'{{"a": {{"b": [-{10**30}]}}}}', "9" * 5000):
        with pytest.raises(TooWide):
            json_loads(body)
    assert issubclass(TooWide, ValueError)  # callers that refuse bad JSON refuse it too


@pytest.mark.parametrize("text, number, key", [
    ("42", 42, 42), (" 7 ", 7, 7), ("²", None, None), ("١٢", None, None), ("-3", None, None),
    ("", None, None), (str(WIDEST), WIDEST, WIDEST), (str(WIDEST + 1), WIDEST + 1, None),
    ("9" * 5000, WIDEST + 1, None), ("0" * 5000 + "5", 5, 5),
])
def test_whole_numbers_and_keys_from_outside(text, number, key):
    from dateline.base.numbers import key_from, whole_number

    assert whole_number(text) == number
    assert key_from(text) == key


def test_json_nested_past_the_parsers_stack_is_a_value_error_in_words():
    from dateline.base.numbers import TooDeep

    for body in ("[" * 100_000, '{"a":' * 100_000):
        with pytest.raises(TooDeep, match="nests too deeply"):
            json_loads(body)


def test_half_a_surrogate_pair_is_read_as_the_replacement_character_a_pair_as_its_letter():
    body = '{"a\\ud800": ["x\\udc00y", "\\ud83d\\ude00", 1, {"k": "\\uDBFF"}]}'
    expected = {"a\ufffd": ["x\ufffdy", "\U0001f600", 1, {"k": "\ufffd"}]}
    assert json_loads(body) == json_loads(body.encode()) == expected
    assert json_loads('"plain \\u00e9"') == "plain \u00e9"
