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


SORANI = "هەرێمی کوردستان ڕایگەیاند کە سەرۆکی حکوومەت لە هەولێر کۆبوونەوەیەکی لەگەڵ وەزیرەکان ئەنجامدا"
KURMANJI = (
    "Serokê Herêma Kurdistanê li Hewlêrê bi wezîran re civiyaye û li ser rewşa aborî axivî. "
    "Ev civîn ji bo çareserkirina pirsgirêkan girîng e."
)
TURKISH = "Bakan, Erbil ziyaretinde Kürdistan Bölgesi yetkilileriyle bir araya gelerek ekonomik işbirliğini görüştü."
PERSIAN = "وزیر امور خارجه آمریکا روز یکشنبه به طور غیرمنتظره به بغداد سفر کرد و با نخست وزیر عراق دیدار کرد."
ARABIC = "زار وزير الخارجية الأمريكي بغداد يوم الأحد في زيارة مفاجئة والتقى رئيس الوزراء العراقي."


def test_kurdish_is_told_apart_from_persian_arabic_and_turkish():
    assert detect_language(SORANI)[0] == "ckb"
    assert detect_language(KURMANJI)[0] == "kmr"
    assert detect_language(TURKISH)[0] == "tr"
    assert detect_language(PERSIAN)[0] == "fa"
    assert detect_language(ARABIC)[0] == "ar"


def test_weak_detection_defers_to_the_declared_language_and_both_are_kept():
    names = "Blinken Bagdad Sudani Kiew Berlin Paris Erbil"  # place names only: langdetect guesses weakly
    assert detect_language(names)[1] < 0.8
    article = detect(Article(path="x", title="", body=names, declared_language="de"))
    assert article.language == "de" and article.methods["language"] == "declared"
    assert article.detected_language == detect_language(names)[0]
    confident = detect(Article(path="x", title="", body=GERMAN * 2, declared_language="en"))
    assert confident.language == "de" and confident.declared_language == "en"
    assert confident.methods["language"] == "langdetect"
