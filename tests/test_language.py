"""Language detection: deterministic, and "und" rather than a guess on too little text."""

from __future__ import annotations

from indexer.article import Article
from indexer.language import detect, detect_language

GERMAN = "Der Außenminister besuchte am Sonntag überraschend die irakische Hauptstadt Bagdad."
FRENCH = "Le secrétaire d'État américain a effectué dimanche une visite surprise à Bagdad."


def test_detects_common_languages():
    assert detect_language(GERMAN)[0] == "de"
    assert detect_language(FRENCH)[0] == "fr"
    assert detect_language("The minister made a surprise visit to Baghdad on Sunday evening.")[0] == "en"


def test_same_answer_every_time_on_short_text():
    short = "Blinken in Bagdad eingetroffen"
    assert len({detect_language(short) for _ in range(20)}) == 1


def test_too_little_text_is_undetermined():
    assert detect_language("OK 123") == ("und", 0.0)
    assert detect_language("") == ("und", 0.0)


def test_declared_language_is_used_when_detection_cannot_tell():
    article = detect(Article(path="x", title="12:30", body="-- 2024 --", declared_language="ar"))
    assert article.language == "ar" and article.methods["language"] == "declared"
