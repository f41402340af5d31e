"""Generate a corpus folder of N news articles for scale benchmarks: real news items first, then recombined ones.

    .venv/bin/python bench/scale_corpus.py OUT_DIR --articles N [--seed 20261122] [--start K]
        [--source ../shared/data/news-bench/news.jsonl]

Writes real corpus files, so what a benchmark then measures is the real reindex command:
`OUT_DIR/<source>/<yyyy>/<mm>/<dd>/<id>.txt` (headline, blank line, body paragraphs) with the sidecar
`<id>.meta.json` beside it (source, published, language "en", url). A day level under the month keeps
folders small: a third of the news items are dated March 1987, which would put 100,000+ articles in
one folder at 300k.

Article number i (from 0) is always the same article, whatever N and --start. Numbers below R are the
real news items, written as they are, in the order of the source file; R counts the items whose body
has at least 250 characters (18,904 of 30,666): shorter ones are headline-only wire items, earnings
tables and cut-off teasers, which the indexer partly skips, and the corpus must hold only articles, so
that all N files are indexed. From R on, each article is recombined from real sentences by its own
seeded random generator: a real item drawn at random among all of them gives the source, the date and
the body length (at least 250 characters), so these follow the real distributions; headline and lede
come from an item of the same source, the other sentences from a few items of the same
collection (BBC: section) whose headlines share a word with it, so topics stay roughly coherent and
term statistics stay those of real news. At least two sentences, from two items, so identical texts
stay rare (0.3% of recombined articles, fewer than among the real items). `--start K` writes articles
K..K+N-1: new ids and new files that do not collide with a corpus of K articles (the new articles of an
incremental reindex).

The same N, --start and --seed give byte-identical files. Generation streams: only the sentences of
the source items are held in memory, never the generated articles. A hidden marker file
`.scale-corpus-<start>-<end>.json` is written last, so a complete corpus can be told from an
interrupted one.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "news-bench" / "news.jsonl"
DEFAULT_SEED = 20261122
# Bump when the output for a given (source, N, start, seed) changes, so benchmarks regenerate reused corpora.
GENERATOR_VERSION = 1
# Real items with a shorter body are not written as they are (see the module docstring).
MIN_BODY_CHARS = 250
# A sentence ends at . ! ? followed by space and what can start the next one (a capital, digit, quote, <TICKER>).
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\"'(<]?[A-Z0-9])")
# Reuters-21578 bodies end with a "Reuter" sign-off (or a misspelling); recombined bodies keep it at the end.
SIGN_OFF = re.compile(r"\s+(REU\w*|Reu\w*)\s*$")
# Sentences usable in recombined articles: full sentences of some words, which the extractor reads as text.
MIN_SENTENCE_WORDS = 6
SENTENCE_ENDS = (".", "!", "?", '"', "'")
# Real items a recombined article takes its sentences from (more are added when their sentences run short).
DONORS = 4
# Headline words of at least this many letters name topics, unless more than this share of the group has them.
TITLE_WORD = re.compile(r"[a-z]{4,}")
MAX_TOPIC_SHARE = 0.02
# Donors drawn from the topic before a long article takes sentences from the whole group.
MAX_TOPIC_REFILLS = 20
# Sentences per paragraph of a recombined article.
PARAGRAPH_SENTENCES = (1, 4)


@dataclass(frozen=True)
class Item:
    """A real news item of the source file, with what recombination needs."""

    id: str
    title: str
    body: str
    source: str
    date: str
    group: str  # collection, plus the section for BBC items: where most sentences of recombined articles come from
    sentences: tuple[str, ...]
    sign_off: str
    written: bool  # written as it is (a body of at least MIN_BODY_CHARS); every item is a template and donor


def topic_words(title: str) -> list[str]:
    """Return the words of a headline that can name its topic (sorted: sets have no stable order)."""
    return sorted(set(TITLE_WORD.findall(title.lower())))


def slug(text: str) -> str:
    """Return a folder name for a source ("AG News (unattributed)" -> "ag-news-unattributed")."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def load_items(path: Path) -> list[Item]:
    """Read the real items that have a date, in file order, split into sentences."""
    items = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            body = raw["body"].strip()
            if not raw.get("date"):
                continue
            collection = raw.get("collection") or raw["source"]
            sign_off = SIGN_OFF.search(body) if collection == "reuters21578" else None
            text = body[: sign_off.start()] if sign_off else body
            sentences = tuple(
                s
                for s in SENTENCE_BREAK.split(text)
                if len(s.split()) >= MIN_SENTENCE_WORDS and s.endswith(SENTENCE_ENDS)
            )
            # BBC ids name the section (bbc-tech-231): business and sport sentences should not meet.
            section = raw["id"].split("-")[1] if raw["id"].startswith("bbc-") else ""
            items.append(
                Item(
                    id=raw["id"],
                    title=raw["title"].strip(),
                    body=body,
                    source=raw["source"],
                    date=raw["date"],
                    group=f"{collection}/{section}",
                    sentences=sentences,
                    sign_off=sign_off.group(1) if sign_off else "",
                    written=len(body) >= MIN_BODY_CHARS,
                )
            )
    return items


class Corpus:
    """Article number -> (id, source and date item, title, body): real items first, then seeded recombinations."""

    def __init__(self, items: list[Item], seed: int) -> None:
        self.items = items
        self.real = [item for item in items if item.written]
        self.seed = seed
        # Donors must have usable sentences. The lede comes from the same source and group as the template,
        # the other sentences from items of the group whose headlines share a word with the lede's headline.
        self.by_source: dict[tuple[str, str], list[int]] = {}
        self.by_group: dict[str, list[int]] = {}
        self.by_topic: dict[tuple[str, str], list[int]] = {}
        for number, item in enumerate(items):
            if item.sentences:
                self.by_source.setdefault((item.source, item.group), []).append(number)
                self.by_group.setdefault(item.group, []).append(number)
                for word in topic_words(item.title):
                    self.by_topic.setdefault((item.group, word), []).append(number)
        # A topic word needs a few donors, and must not be one that many headlines of the group have.
        self.by_topic = {
            key: members
            for key, members in self.by_topic.items()
            if DONORS <= len(members) <= MAX_TOPIC_SHARE * len(self.by_group[key[0]])
        }

    def article(self, number: int) -> tuple[str, Item, str, str]:
        """Return (id, item giving source and date, title, body) of article number `number`."""
        if number < len(self.real):
            item = self.real[number]
            return item.id, item, item.title, item.body
        # One generator per article: any article can be made alone, whatever N and --start are.
        rng = random.Random(f"{self.seed}:{number}")
        template = self.items[rng.randrange(len(self.items))]
        group = self.by_group[template.group]
        lead = self.items[rng.choice(self.by_source.get((template.source, template.group)) or group)]
        topics = [word for word in topic_words(lead.title) if (lead.group, word) in self.by_topic]
        near = self.by_topic[(lead.group, rng.choice(topics))] if topics else group
        donors = [self.items[rng.choice(near)] for _ in range(DONORS - 1)]
        # Headline and lede of one real item, then at least one sentence of others: never a copy of a real item.
        chosen = [lead.sentences[0]]
        used = set(chosen)  # the same sentence can be in several items (agencies repeat stories)
        pool = [sentence for donor in donors for sentence in donor.sentences]
        rest_of_lead = list(lead.sentences[1:])
        length, refills = len(chosen[0]), 0
        target = max(len(template.body), MIN_BODY_CHARS)  # short real items are not written either
        while len(chosen) < 2 or length < target:
            if not pool:  # a long template: more sentences of the topic, then of the whole group
                refills += 1
                pool = list(self.items[rng.choice(near if refills < MAX_TOPIC_REFILLS else group)].sentences)
                continue
            sentence = pool.pop(rng.randrange(len(pool)))
            if sentence in used:
                continue
            chosen.append(sentence)
            used.add(sentence)
            length += len(sentence) + 1
            pool += rest_of_lead
            rest_of_lead = []
        paragraphs = []
        while chosen:
            take = rng.randint(*PARAGRAPH_SENTENCES)
            paragraphs.append(" ".join(chosen[:take]))
            del chosen[:take]
        if template.sign_off:
            paragraphs[-1] += f" {template.sign_off}"
        return f"synth-{number:07d}", template, lead.title, "\n\n".join(paragraphs)


def article_files(out: Path, article_id: str, item: Item) -> tuple[Path, Path]:
    """Return the (text, sidecar) paths of an article: <source>/<yyyy>/<mm>/<dd>/<id>.txt and <id>.meta.json."""
    year, month, day = item.date.split("-")
    folder = out / slug(item.source) / year / month / day
    return folder / f"{article_id}.txt", folder / f"{article_id}.meta.json"


def marker_path(out: Path, start: int, articles: int) -> Path:
    """Return the marker file written once articles start..start+articles-1 are all in `out`."""
    return out / f".scale-corpus-{start}-{start + articles}.json"


def generate(out: Path, articles: int, start: int, seed: int, source: Path) -> dict:
    """Write articles start..start+articles-1 into `out` and return the figures of the run."""
    started = time.perf_counter()
    items = load_items(source)
    corpus = Corpus(items, seed)
    loaded = time.perf_counter() - started
    made: set[Path] = set()
    real = size = 0
    for number in range(start, start + articles):
        article_id, item, title, body = corpus.article(number)
        text_path, meta_path = article_files(out, article_id, item)
        if text_path.parent not in made:
            text_path.parent.mkdir(parents=True, exist_ok=True)
            made.add(text_path.parent)
        year, month, day = item.date.split("-")
        meta = {
            "source": item.source,
            "published": item.date,
            "language": "en",
            "url": f"https://{slug(item.source)}.example/{year}/{month}/{day}/{article_id}",
        }
        text = f"{title}\n\n{body}\n".encode()
        sidecar = (json.dumps(meta, ensure_ascii=False) + "\n").encode()
        text_path.write_bytes(text)
        meta_path.write_bytes(sidecar)
        real += number < len(corpus.real)
        size += len(text) + len(sidecar)
    figures = {
        "articles": articles,
        "start": start,
        "seed": seed,
        "real": real,
        "recombined": articles - real,
        "real_available": len(corpus.real),
        "source": str(source.resolve()),
        "generator": GENERATOR_VERSION,
        "bytes": size,
        "folders": len(made),
    }
    out.mkdir(parents=True, exist_ok=True)
    # Timings stay out of the marker, so that the whole folder is byte-identical between runs.
    marker_path(out, start, articles).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return figures | {"load_seconds": loaded, "seconds": time.perf_counter() - started}


def main() -> int:
    """Generate the corpus and print what was written."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="corpus folder to write into (created if missing)")
    parser.add_argument("--articles", type=int, required=True, help="how many articles to write")
    parser.add_argument("--start", type=int, default=0, help="number of the first article (default 0)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="news-bench JSON lines")
    args = parser.parse_args()
    if args.articles < 1 or args.start < 0:
        parser.error("--articles must be at least 1 and --start at least 0")
    figures = generate(args.out, args.articles, args.start, args.seed, args.source)
    seconds = figures["seconds"]
    print(f"\ncorpus {args.out}: articles {args.start}..{args.start + args.articles - 1}, seed {args.seed}\n")
    print("| articles | real | recombined | folders | MiB | seconds | articles/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.articles} | {figures['real']} | {figures['recombined']} | {figures['folders']} | "
        f"{figures['bytes'] / 2**20:.1f} | {seconds:.1f} | {args.articles / max(seconds, 1e-9):.0f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
