"""Language handling on real pages: detection accuracy by text length, and what English-only analysis misses.

    .venv/bin/python bench/multilingual.py ../shared/data/extraction-dev

1. Detection: for every page with a gold language, the archive's detect_language() on the gold
   title, on a short brief (the first 200 characters of the gold body) and on the whole body.
2. Recall: the pages' gold title and body are indexed twice, through the archive's own writer
   (each in its language's field) and as plain Whoosh with one English stemming analyzer for
   everything (what the archive would do without per-language analysis). A small query set,
   written by hand over these pages, asks for each page with word forms that differ from the
   page's own (plural for singular, no accents); a query counts as found when its page is in
   the top 10.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import index as whoosh_index  # noqa: E402  (the English-only baseline lives in the benchmark only)
from whoosh import qparser  # noqa: E402
from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402

from indexer.language import detect_language  # noqa: E402
from search.archive import Archive  # noqa: E402
from search.backends.whoosh import WhooshBackend  # noqa: E402
from search.backends.whoosh.store import ArchiveIndex  # noqa: E402
from search.backends.whoosh.writer import IndexUpdate  # noqa: E402
from search.request import build_request  # noqa: E402

BRIEF_CHARS = 200
# (language, query, page id): each query words a page's subject in forms the page does not use.
QUERIES = [
    ("de", "Versäumnis Feuer Gemeinde", "at-SalzburgerNachrichten_2026_01_06"),
    ("de", "Straßenbahn Hitzewelle", "de-MDR_2026_07_08"),
    ("de", "Streik Beschäftigter ÖPNV", "de-BR_2026_04_15"),
    ("de", "Feuerwehrmann Pensionen", "de-WDR_2024_04_22"),
    ("de", "Atomkraftwerke Rückbau", "de-StuttgarterZeitung_2025_10_25"),
    ("de", "Trump Justizministerinnen", "at-ORF_2024_11_22"),
    ("de", "Kalifat Islamist Hamburg", "at-DerStandard_2024_05_03"),
    ("de", "Sanktion Massenschlägereien Madrid", "de-DieZeit_2023_04_28"),
    ("es", "embargos armas Israel", "es-ElDiario_2025_05_29"),
    ("es", "centro deportacion", "es-ElPais_2024_10_15"),
    ("es", "policias detenidos", "es-ABC_2025_01_13"),
    ("fr", "voiture neuve vente", "fr-LesEchos_2024_07_18"),
    ("fr", "gravite situation Macron", "fr-LeMonde_2023_09_01"),
    ("no", "stavhopperen tårer", "no-NRK_2024_08_05"),
    ("sv", "attack vädjan", "se-Aftonbladet_2026_08_02"),
    ("it", "svastica striscioni", "it-LaRepubblica_2025_01_05"),
    ("tr", "istasyon şarj elektrikli", "tr-AnadoluAjansi_2025_04_05"),
]


def load_pages(data: Path) -> dict[str, dict]:
    """Return the fundus gold pages that name their language, by id."""
    gold = json.loads((data / "sets" / "fundus" / "gold.json").read_text(encoding="utf-8"))
    return {pid: page for pid, page in gold.items() if page.get("language") and page.get("body")}


def detection_table(pages: dict[str, dict]) -> None:
    """Print detection accuracy for titles, briefs and whole bodies."""
    kinds = {
        "title": lambda p: p.get("title") or "",
        "brief (200 chars)": lambda p: p["body"][:BRIEF_CHARS],
        "whole body": lambda p: p["body"],
    }
    print("| text | pages | correct | undetermined | accuracy | accuracy where decided |")
    print("| --- | --- | --- | --- | --- | --- |")
    wrong_examples = collections.Counter()
    for kind, text_of in kinds.items():
        correct = undetermined = 0
        for page in pages.values():
            code, _ = detect_language(text_of(page))
            gold = page["language"].split("-")[0].lower()
            correct += code == gold
            undetermined += code == "und"
            if code not in (gold, "und"):
                wrong_examples[(kind, gold, code)] += 1
        decided = len(pages) - undetermined
        print(
            f"| {kind} | {len(pages)} | {correct} | {undetermined} | {correct / len(pages):.3f} | "
            f"{correct / decided if decided else 0:.3f} |"
        )
    print("\nMistakes (text, gold -> detected: pages):", dict(wrong_examples.most_common(12)))


def recall_table(pages: dict[str, dict]) -> None:
    """Index the pages both ways and print which queries find their page in the top 10."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = ArchiveIndex(Path(tmp) / "archive")
        with IndexUpdate(archive, full=True) as update:
            for pid, page in pages.items():
                update.put(
                    {
                        "id": pid,
                        "path": pid,
                        "content_hash": "",
                        "title": page.get("title") or "",
                        "body": page["body"],
                        "authors": [],
                        "date": None,
                        "language": page["language"].split("-")[0].lower(),
                    }
                )
        english_dir = Path(tmp) / "english"
        english_dir.mkdir()
        english = whoosh_index.create_in(
            str(english_dir), Schema(id=ID(stored=True), content=TEXT(analyzer=StemmingAnalyzer()))
        )
        with english.writer() as writer:
            for pid, page in pages.items():
                writer.add_document(id=pid, content=f"{page.get('title') or ''}\n{page['body']}")
        parser = qparser.QueryParser("content", english.schema, group=qparser.AndGroup)
        print("\n| language | query | page | English-only analyzer | per-language analysis |")
        print("| --- | --- | --- | --- | --- |")
        found = {"english": 0, "archive": 0}
        with english.searcher() as searcher:
            for language, query, pid in QUERIES:
                english_ids = [hit["id"] for hit in searcher.search(parser.parse(query), limit=10)]
                served = Archive(WhooshBackend(archive)).search(build_request({"q": [query]}))
                archive_ids = [hit.id for hit in served.hits]
                hit_english, hit_archive = pid in english_ids, pid in archive_ids
                found["english"] += hit_english
                found["archive"] += hit_archive
                mark = {True: "found", False: "missed"}
                print(f"| {language} | `{query}` | {pid} | {mark[hit_english]} | {mark[hit_archive]} |")
        total = len(QUERIES)
        print(
            f"| all | {total} queries | | recall {found['english'] / total:.2f} | "
            f"recall {found['archive'] / total:.2f} |"
        )
        archive.close()


def main() -> int:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the extraction-dev folder")
    pages = load_pages(parser.parse_args().data)
    print(f"{len(pages)} pages with a gold language\n")
    detection_table(pages)
    recall_table(pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
