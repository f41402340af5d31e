"""The text toolkit both extractors share: normalisation, phrase matching, the furniture test."""

from __future__ import annotations

from indexer.phrases import (
    MAX_FURNITURE_PHRASE_CHARS,
    MAX_FURNITURE_PREFIX_CHARS,
    PhraseList,
    distinct_words,
    is_furniture,
    letters_key,
    load_phrase_rules,
    normalise,
    text_weight,
)


def test_normalise_straightens_quotes_dashes_and_spaces() -> None:
    assert normalise("» Read\u00a0more \u2014 here «") == "read more - here"
    assert normalise("It\u2019s \u201cfine\u201d now") == 'it\'s "fine" now'
    assert letters_key("Copy\u2011link!") == "copy link"


def test_an_ideograph_weighs_three_letters() -> None:
    assert text_weight("abc") == 3
    assert text_weight("新闻") == 6
    assert text_weight("뉴스 a") == 8


def test_phrases_match_whole_words_only() -> None:
    phrases = PhraseList(["skip to", "by", "by staff", "広告"])
    assert phrases.occurs(normalise("Please skip to content"))
    assert not phrases.occurs(normalise("cruiseskip to the port"))
    assert phrases.starts(normalise("By: Jane Doe"))
    assert not phrases.starts(normalise("Bystanders watched"))
    assert phrases.starts("広告です")  # ideographs: written without spaces, matched as a substring


def test_the_prefix_end_is_that_of_the_longest_phrase() -> None:
    phrases = PhraseList(["by", "by staff"])
    text = normalise("By staff reporters")
    assert text[: phrases.prefix_end(text)] == "by staff"
    assert phrases.prefix_end(normalise("Byline")) is None


def test_furniture_by_line_prefix_and_phrase() -> None:
    rules = load_phrase_rules()
    assert rules["boilerplate_lines"] and rules["byline_prefixes"] and rules["agencies"]
    assert is_furniture("Advertisement")
    assert is_furniture("Sign up for our newsletter")
    assert not is_furniture("45%")  # no letters: a table cell or a score, not furniture by phrase
    assert not is_furniture("The minister met union leaders on Tuesday.")


def test_a_long_paragraph_may_quote_a_furniture_phrase() -> None:
    phrase = "Sign up for our newsletter"
    padded = phrase + ", said the editor, " + "who explained why the readers wanted more of it " * 6
    assert text_weight(padded) > MAX_FURNITURE_PHRASE_CHARS
    assert is_furniture(phrase) and not is_furniture("Readers " + padded)
    prefix = "Read more: " + "the minister met union leaders on Tuesday and again on Friday " * 6
    assert text_weight(prefix) > MAX_FURNITURE_PREFIX_CHARS
    assert is_furniture("Read more: the minister met") and not is_furniture(prefix)


def test_a_credit_label_glued_to_its_caption_is_still_found() -> None:
    assert is_furniture("KATE MOSS wears a look by VALENTINOFoto: Nikolai von Bismarck. Styling: Kate Phelan")
    assert is_furniture("A grey blazer and a sheer dress, both GIVENCHY.Foto: Nikolai von Bismarck")
    assert not is_furniture("The photographer's portfolio grew in 2019, and so did the demand")


def test_distinct_words_of_spaced_and_unspaced_scripts() -> None:
    assert distinct_words("The talks, the TALKS and (talks).") == 3
    assert distinct_words("D" * 20_000) == 0  # a letter held down is not a word
    assert distinct_words("aGVsbG8gd29ybGQ" * 100 + " 12 345") == 0
    assert distinct_words("D " * 1_000) == 1
    assert distinct_words("北京今天下雨") == 6  # an unspaced script: every character counts
    assert distinct_words("one two three four five", enough=2) == 2
