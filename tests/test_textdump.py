"""Plain-text dumps: the seed articles against their gold, and furniture patterns in several languages."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from indexer.article import Article, SkipDocument
from indexer.pipeline import extract_file
from indexer.textdump import extract_text

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT_ROOT / "corpus"
SEEDS_GOLD = json.loads((Path(__file__).parent / "seeds_gold.json").read_text(encoding="utf-8"))


def extract(text: str) -> Article:
    """Run the text-dump extractor alone on a string."""
    return extract_text(Article(path="sample.txt", text=text))


def body_lines(article: Article) -> list[str]:
    """The body as a list of its paragraphs."""
    return article.body.split("\n\n")


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=sorted(SEEDS_GOLD))
def seed(request: pytest.FixtureRequest) -> tuple[dict, Article]:
    """(gold, extracted Article) for one seed file, run through the whole pipeline."""
    return SEEDS_GOLD[request.param], extract_file(CORPUS, request.param)


def test_seed_drops_furniture(seed: tuple[dict, Article]) -> None:
    gold, article = seed
    for phrase in gold["drop"]:
        assert phrase not in article.body
    lines = {line.strip() for line in article.body.split("\n")}
    for line in gold.get("drop_exact_lines", []):
        assert line not in lines


def test_seed_keeps_article_text(seed: tuple[dict, Article]) -> None:
    gold, article = seed
    for passage in gold["keep"]:
        assert passage in article.body


def test_seed_metadata(seed: tuple[dict, Article]) -> None:
    gold, article = seed
    assert article.title == gold["title"]
    assert article.authors == gold["author"]
    assert (article.date.isoformat() if article.date else None) == gold["date"]
    assert article.dateline == gold["dateline"]
    if "agency" in gold:
        assert article.agency == gold["agency"]
    assert article.language == gold["language"]


def test_seed_paragraphs_are_separated_by_blank_lines() -> None:
    article = extract_file(CORPUS, "002_261a6487c6df779b.txt")
    paragraphs = body_lines(article)
    assert len(paragraphs) == 10
    assert all(p.strip() == p and p for p in paragraphs)


# ---------------------------------------------------------------------------------------------
# Furniture patterns in other forms and languages
# ---------------------------------------------------------------------------------------------

GERMAN_DUMP = """Startseite
Politik
Ausland
Regierungskrise in Berlin
Koalition einigt sich auf neuen Haushaltsplan
Von Anna Schmidt und Peter Müller
5. November 2024, 17:47 Uhr
Artikel anhören
3 Min. Lesezeit
Berlin (dpa) - Nach wochenlangem Streit hat sich die Koalition in der Nacht auf einen neuen Haushaltsplan \
geeinigt. Die Einigung sieht Einsparungen in mehreren Ministerien vor, wie Regierungssprecher mitteilten.
Bundeskanzler und Finanzminister bei der Pressekonferenz im Kanzleramt (links).
Foto: Reuters
Die Opposition kritisierte den Kompromiss scharf und kündigte an, im Bundestag dagegen zu stimmen. Vor allem \
die geplanten Kürzungen bei der Bahn stießen auf Widerstand, hieß es aus Fraktionskreisen am Dienstag.
Was jetzt kommt
Der Haushaltsausschuss soll sich bereits in der kommenden Woche mit dem Entwurf befassen. Eine Abstimmung im \
Plenum ist für Ende des Monats geplant, sofern keine weiteren Änderungen nötig werden.
Lesen Sie auch
Newsletter abonnieren
Artikel teilen
Facebook
WhatsApp
© Beispiel Verlag 2024
Impressum
Datenschutz
"""


def test_german_dump() -> None:
    article = extract(GERMAN_DUMP)
    assert article.title == "Koalition einigt sich auf neuen Haushaltsplan"
    assert article.authors == ["Anna Schmidt", "Peter Müller"]
    assert article.date == dt.date(2024, 11, 5)
    assert article.dateline == "Berlin"
    assert article.agency == "dpa"
    paragraphs = body_lines(article)
    assert paragraphs[0].startswith("Berlin (dpa) - Nach wochenlangem Streit")
    assert "Was jetzt kommt" in paragraphs  # a subheading inside the article stays
    assert paragraphs[-1].startswith("Der Haushaltsausschuss")
    for furniture in (
        "Artikel anhören",
        "Lesezeit",
        "Foto: Reuters",
        "Pressekonferenz im Kanzleramt",
        "Newsletter",
        "Lesen Sie auch",
        "Impressum",
        "Von Anna Schmidt",
    ):
        assert furniture not in article.body


FRENCH_DUMP = """Aller au contenu principal
International
Le gouvernement présente son budget sous la pression des marchés
Par Marie Dupont
Publié le 5 novembre 2024 à 10h00
Temps de lecture : 4 min
PARIS (AFP) - Le gouvernement a présenté mardi un budget de rigueur, promettant de ramener le déficit sous \
les 5 % dès l'an prochain malgré une croissance plus faible que prévu.
Lire aussi
Les marchés attendent des signaux clairs de la part de Bercy
Les économistes restent sceptiques : selon plusieurs instituts, les hypothèses retenues sont trop optimistes \
et les recettes fiscales pourraient décevoir si la consommation ne repart pas.
Le ministre de l'Économie à Paris, le 4 novembre 2024. (Photo : AFP)
Le texte sera débattu à l'Assemblée nationale à partir de la semaine prochaine, dans un climat politique \
tendu où chaque amendement pourrait faire basculer l'équilibre du compromis.
Partager
Copier le lien
Abonnez-vous à notre newsletter
"""


def test_french_dump() -> None:
    article = extract(FRENCH_DUMP)
    assert article.title == "Le gouvernement présente son budget sous la pression des marchés"
    assert article.authors == ["Marie Dupont"]
    assert article.date == dt.date(2024, 11, 5)
    assert (article.dateline, article.agency) == ("Paris", "AFP")
    assert article.body.startswith("PARIS (AFP) - Le gouvernement")
    assert "Le texte sera débattu" in article.body
    for furniture in (
        "Lire aussi",
        "Les marchés attendent des signaux",
        "Temps de lecture",
        "(Photo : AFP)",
        "Le ministre de l'Économie à Paris",
        "Partager",
        "newsletter",
    ):
        assert furniture not in article.body


ENGLISH_DUMP = """Skip to main content
Menu
World
Middle East
Flood waters recede in the south as rebuilding begins
By John Smith
Nov. 05, 2024 • 4 min read
Share
Rescue workers (L) and residents clear debris in the town centre.
Rescue workers (L) and residents clear debris in the town centre.
(Photo: Reuters)
Flood waters began to recede across the southern provinces on Tuesday, allowing thousands of \
displaced families to return home for the first time in more than a week, officials said.
The government has promised emergency funds for the worst-hit districts, where roads, bridges and \
power lines were washed away by the heaviest rains recorded in decades.
Sign up for our newsletter
Get the latest updates delivered to your inbox.
Author John Smith
Profile picture of John Smith
John Smith is a correspondent covering the region since 2015.
source site-12
"""


def test_english_dump() -> None:
    article = extract(ENGLISH_DUMP)
    assert article.title == "Flood waters recede in the south as rebuilding begins"
    assert article.authors == ["John Smith"]
    assert article.date == dt.date(2024, 11, 5)
    assert article.methods["date"] == "byline"
    assert body_lines(article) == [
        "Flood waters began to recede across the southern provinces on Tuesday, allowing thousands of "
        "displaced families to return home for the first time in more than a week, officials said.",
        "The government has promised emergency funds for the worst-hit districts, where roads, bridges and "
        "power lines were washed away by the heaviest rains recorded in decades.",
    ]


def test_kicker_and_headline_repeating_the_title_are_dropped() -> None:
    text = (
        "Storm hits coast: Thousands without power\n\nStorm hits coast\nThousands without power\n\n"
        "Listen to article\n\n"
        "A powerful storm swept across the coast overnight, leaving thousands of homes without power and "
        "forcing the closure of several major roads, the authorities said on Monday morning.\n\n"
        "Repair crews were working through the day to restore electricity, but officials warned that some "
        "areas could remain without power until the end of the week.\n"
    )
    article = extract(text)
    assert article.title == "Storm hits coast: Thousands without power"
    lines = article.body.split("\n")
    assert "Storm hits coast" not in lines and "Thousands without power" not in lines
    assert "Listen to article" not in article.body
    assert article.body.startswith("A powerful storm")


def test_spanish_caption_and_credit_are_dropped() -> None:
    text = (
        "Internacional\n"
        "El Gobierno aprueba el nuevo plan de vivienda para jóvenes\n"
        "Por Carlos Gómez y Lucía Martín\n"
        "Madrid - 5 de noviembre de 2024 - 08:22\n"
        "El Consejo de Ministros ha aprobado este martes un plan de vivienda que prevé ayudas directas al "
        "alquiler para menores de 35 años y la construcción de miles de viviendas públicas.\n"
        "La ministra de Vivienda, durante la rueda de prensa en Madrid. (EFE)\n"
        "Foto: EFE\n"
        "Las comunidades autónomas tendrán seis meses para adaptar sus programas, según fuentes del "
        "ministerio, que espera que las primeras ayudas lleguen antes del verano.\n"
        "Lee también\n"
        "Suscríbete a nuestro boletín\n"
    )
    article = extract(text)
    assert article.title == "El Gobierno aprueba el nuevo plan de vivienda para jóvenes"
    assert article.authors == ["Carlos Gómez", "Lucía Martín"]
    assert article.date == dt.date(2024, 11, 5)
    assert "rueda de prensa" not in article.body and "Foto: EFE" not in article.body
    assert len(body_lines(article)) == 2


def test_name_only_byline_before_the_date() -> None:
    text = (
        "Economy\n\nCentral bank holds rates steady amid slowing growth\n\nMaria Rossi\n\n05.11.2024\n\n"
        "The central bank left its main interest rate unchanged on Tuesday, citing slowing growth and "
        "inflation that has eased but remains above its target for the third year running.\n\n"
        "Analysts had widely expected the decision, though some said a cut could come early next year if "
        "the labour market weakens further over the winter months.\n"
    )
    article = extract(text)
    assert article.authors == ["Maria Rossi"]
    assert article.date == dt.date(2024, 11, 5)
    assert "Maria Rossi" not in article.body


PARAGRAPHS = (
    "The central bank left its main interest rate unchanged on Tuesday, citing slowing growth and "
    "inflation that has eased but remains above its target for the third year running.\n\n"
    "Analysts had widely expected the decision, though some said a cut could come early next year if "
    "the labour market weakens further over the winter months.\n"
)


@pytest.mark.parametrize(
    ("header", "authors"),
    [
        # A name line right under the headline, with no date beside it (a photo credit below).
        ("Maria Rossi\n\nPhoto: Reuters", ["Maria Rossi"]),
        # A byline label on a line of its own, one name per line below it.
        ("Von\n\nMaria Rossi\n\nJan Berg", ["Maria Rossi", "Jan Berg"]),
        ("Author of the article:\n\nMaria Rossi\n\nPublished Nov 05, 2024", ["Maria Rossi"]),
        # Names opening a line of metadata, the rest a date or an outlet.
        ("Maria Rossi, 05.11.2024 10:00 Uhr", ["Maria Rossi"]),
        ("Maria Rossi / EXAMPLE.COM / Nov 5, 2024, 17:07 IST", ["Maria Rossi"]),
        # Glued to a date or a job title when the page was copied.
        ("Maria Rossi05.11.2024, 19:35 Uhr", ["Maria Rossi"]),
        ("Maria RossiEconomics Correspondent\n\n05.11.2024", ["Maria Rossi"]),
        ("Kommentar von Maria Rossi\n\n05.11.2024", ["Maria Rossi"]),
        # Not bylines: a place list, a sentence.
        ("Rome, Milan and Turin\n\n05.11.2024", []),
    ],
)
def test_byline_shapes_of_copied_pages(header: str, authors: list[str]) -> None:
    text = f"Economy\n\nCentral bank holds rates steady amid slowing growth\n\n{header}\n\n{PARAGRAPHS}"
    article = extract(text)
    assert article.title == "Central bank holds rates steady amid slowing growth"
    assert article.authors == authors
    for name in authors:
        assert name not in article.body


def test_a_camel_cased_surname_is_not_split() -> None:
    text = (
        f"Economy\n\nCentral bank holds rates steady amid slowing growth\n\nRon DeSantis\n\n05.11.2024\n\n{PARAGRAPHS}"
    )
    assert extract(text).authors == ["Ron DeSantis"]


def test_the_headline_above_the_byline_wins_over_a_caption_nearer_the_text() -> None:
    text = (
        "Economy\n\nCentral bank holds rates steady amid slowing growth\n\nBy Maria Rossi\n\n05.11.2024\n\n"
        "Share\n\nThe governor of the central bank at the press conference in Rome on Tuesday\n\n{PARAGRAPHS}"
    ).replace("{PARAGRAPHS}", PARAGRAPHS)
    article = extract(text)
    assert article.title == "Central bank holds rates steady amid slowing growth"
    assert article.authors == ["Maria Rossi"]


def test_a_headline_line_that_opens_with_the_kickers_colon_is_joined_to_it() -> None:
    text = f"Economy\n\nRates\n\n: The central bank holds steady\n\nMaria Rossi\n\n05.11.2024\n\n{PARAGRAPHS}"
    assert extract(text).title == "Rates: The central bank holds steady"


def test_impossible_dates_are_not_taken() -> None:
    text = (
        "Scientists unveil plans for a new telescope\n\nBy Ann Lee\n\n31.02.2024\n\n"
        "Scientists on Tuesday unveiled plans for a new telescope that they say will be able to study the "
        "atmospheres of distant planets in more detail than any instrument so far.\n"
    )
    assert extract(text).date is None


def test_short_text_still_has_a_body() -> None:
    article = extract("Sample article 3\n\nBy Jane Doe\n\n2024-03-05\n\nNothing of note happened.\n")
    assert article.title == "Sample article 3"
    assert article.authors == ["Jane Doe"]
    assert article.date == dt.date(2024, 3, 5)
    assert article.body == "Nothing of note happened."


def test_a_sentence_ending_in_a_number_is_text() -> None:
    # Its last sentence ends on digits and a stop; a date line ending so is still no paragraph.
    sentence = "In afternoon trading, the Dow Jones industrial average gained 67.10, or 0.7 percent, to 10,039.93..."
    article = extract(f"Markets close higher\n\nUpdated 29.07.2004.\n\n{sentence}\n")
    assert article.title == "Markets close higher"
    assert article.body == sentence


def test_a_tag_cloud_is_not_the_article() -> None:
    # A long line of words without a comma or stop is a tag cloud or a flattened menu, however long.
    cloud = " ".join(["harbour bridge ferry council budget traffic cycling festival school weather"] * 4)
    story = (
        "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, ending "
        "months of argument about the crumbling structure. Engineers said repairs would cost more than a new one."
    )
    article = extract(f"Home\n\nNews\n\nTags\n\n{cloud}\n\nMost read\n\nBridge to close\n\n{story}\n")
    assert article.body == story
    assert article.title == "Bridge to close"


def test_a_devanagari_full_stop_ends_a_sentence() -> None:
    # "।" (danda) ends Hindi sentences: a line ending in it is a sentence, one with it inside is running text.
    sentence = "पुलिस ने इस मामले में दो लोगों को गिरफ्तार किया है।"
    article = extract(f"समस्तीपुर पुलिस\n\n{sentence}\n")
    assert article.body == sentence


def test_empty_text_is_skipped() -> None:
    with pytest.raises(SkipDocument):
        extract("\n \n\t\n")
