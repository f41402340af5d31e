"""Each article is analysed in its own language; queries work across languages without naming one."""

from __future__ import annotations

import pytest
from conftest import sample_record

from search.request import build_request
from search.text import fold


@pytest.fixture
def archive(build_index):
    return build_index(
        [
            sample_record(1, language="en", title="Attack on base", body="The attack on the base was repelled."),
            sample_record(2, language="de", title="Neue Angriffe", body="Die Angriffe auf die Stadt gingen weiter."),
            sample_record(3, language="fr", title="Élection", body="Les élections législatives auront lieu en juin."),
            sample_record(
                4,
                language="es",
                title="Ataques",
                body="Los ataques contra la base continuaron antes de las elecciones.",
            ),
            sample_record(
                5, language="ar", title="زيارة", body="وصل الوزير إلى بَغْدَادَ في زيارة مفاجئة للولايات المتحدة الأمريكية."
            ),
            sample_record(
                6, language="tr", title="Saldırı", body="Üsse yönelik saldırılar sürüyor ve saldırı kınandı."
            ),
            sample_record(7, language="ckb", title="هەولێر", body="سەرۆکی حکوومەت لە هەولێر کۆبوونەوەی کرد."),
        ]
    )


def ids(archive, q, **params):
    request = build_request({"q": [q], **{k: [v] for k, v in params.items()}})
    return {hit.id[-1] for hit in archive.search(request).hits}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("attacks", {"1"}),  # English stemming
        ("Angriff", {"2"}),  # German stemming: Angriffe -> Angriff
        ("election", {"3"}),  # accents folded, French plural stemmed
        ("élection", {"3"}),
        ("ataque", {"4"}),  # Spanish stemming
        ("eleccion", {"4"}),  # typed without its accent, still stemmed like "elecciones"
        ("elección", {"4"}),
        ("بغداد", {"5"}),  # the article spells it with vowel marks
        ("بَغْدَاد", {"5"}),  # and the other way round
        ("الامريكيه", {"5"}),  # alef and teh marbuta spelled plainly
        ("saldırı", {"6"}),  # no Turkish stemmer: exact after folding
        ("هەولێر", {"7"}),  # Sorani letters kept
    ],
)
def test_each_language_is_matched_its_own_way(archive, q, expected):
    assert ids(archive, q) == expected


def test_a_stop_word_of_one_language_does_not_block_another(archive):
    assert ids(archive, "the attack") == {"1"}  # "the" is not indexed for English articles
    assert ids(archive, "die Angriffe") == {"2"}


def test_language_filter_narrows(archive):
    assert ids(archive, "base") == {"1", "4"}
    assert ids(archive, "base", language="es") == {"4"}


def test_highlighting_marks_the_original_words(archive):
    german = archive.search(build_request({"q": ["Angriff"]})).hits[0]
    assert "<mark>Angriffe</mark>" in german.snippet
    arabic = archive.search(build_request({"q": ["بغداد"]})).hits[0]
    assert "<mark>بَغْدَادَ</mark>" in arabic.snippet


def test_fold_unifies_spellings():
    assert fold("بَغْدَاد") == fold("بغداد") == "بغداد"
    assert fold("أمريكا") == fold("امريكا")
    assert fold("مدرسة") == fold("مدرسه")
    assert fold("١٢٣") == fold("۱۲۳") == "123"
    assert fold("Café") == "Cafe"


# For every language Whoosh stems: a sentence with an inflected word, and a query with another form.
EVERY_STEMMED_LANGUAGE = {
    "da": ("Angrebene fortsatte hele natten i byen.", "angreb"),
    "nl": ("De verkiezingen worden in juni gehouden.", "verkiezing"),
    "en": ("The attacks continued through the night.", "attack"),
    "fi": ("Presidentin vierailu jatkui tiistaina.", "presidentti"),
    "fr": ("Les attaques ont repris dans la nuit.", "attaque"),
    "de": ("Die Angriffe dauerten die ganze Nacht.", "Angriff"),
    "hu": ("A támadások egész éjjel folytatódtak.", "támadás"),
    "it": ("Gli attacchi sono continuati tutta la notte.", "attacco"),
    "no": ("Angrepene fortsatte hele natten.", "angrep"),
    "pt": ("Os ataques continuaram durante a noite.", "ataque"),
    "ro": ("Alegerile vor avea loc în iunie.", "alegeri"),
    "ru": ("Нападения продолжались всю ночь.", "нападение"),
    "es": ("Los ataques continuaron durante la noche.", "ataque"),
    "sv": ("Attackerna fortsatte hela natten.", "attack"),
}


def test_every_stemmed_language_matches_another_word_form(build_index):
    from search.backends.whoosh.analysis import STEMMED_LANGUAGES

    assert set(EVERY_STEMMED_LANGUAGE) == set(STEMMED_LANGUAGES)
    records = [
        sample_record(n, language=code, title="", body=body)
        for n, (code, (body, _)) in enumerate(EVERY_STEMMED_LANGUAGE.items(), start=1)
    ]
    archive = build_index(records)
    for n, (code, (_, query)) in enumerate(EVERY_STEMMED_LANGUAGE.items(), start=1):
        found = {hit.id for hit in archive.search(build_request({"q": [query]})).hits}
        assert f"sample{n:04d}" in found, (code, query)


def test_persian_and_kurmanji_are_folded_not_stemmed(build_index):
    archive = build_index(
        [
            sample_record(1, language="fa", body="وزیر امور خارجه آمریکا به بغداد سفر کرد."),
            sample_record(2, language="kmr", body="Serokê Herêma Kurdistanê li Hewlêrê civiya."),
        ]
    )
    assert {h.id for h in archive.search(build_request({"q": ["آمريكا"]})).hits} == {"sample0001"}  # Arabic yeh/kaf
    assert {h.id for h in archive.search(build_request({"q": ["Hewlere"]})).hits} == {"sample0002"}  # no accents
