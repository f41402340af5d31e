"""Detect an article's language: langdetect (seeded, so deterministic), Kurdish rules on top, "und" when unsure."""

from __future__ import annotations

import json
import re
from pathlib import Path

from langdetect import DetectorFactory, LangDetectException, detect_langs

from indexer.article import Article

UNDETERMINED = "und"
# Fewer letters than this and langdetect's answer is close to a coin toss.
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.5
# langdetect samples randomly; without a fixed seed about 4% of short texts flip between runs.
DETECTOR_SEED = 0
# Enough text to decide; more only costs time.
MAX_SAMPLE_CHARS = 5000
# langdetect's Chinese codes carry a script; the archive records the primary subtag.
CODE_ALIASES = {"zh-cn": "zh", "zh-tw": "zh"}
RULES = json.loads((Path(__file__).parent / "rules" / "languages.json").read_text(encoding="utf-8"))
SORANI, KURMANJI = RULES["sorani"], RULES["kurmanji"]
KURMANJI_WORDS = frozenset(KURMANJI["words"])
WORD = re.compile(r"[^\W\d_]+")


def kurdish_variant(text: str, detected: str) -> str | None:
    """Return "ckb" or "kmr" when the text is Sorani or Kurmanji Kurdish, which langdetect cannot name."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    if detected in SORANI["detected_as"]:
        sorani = sum(ch in SORANI["letters"] for ch in letters)
        if sorani >= SORANI["min_letters"] and sorani / len(letters) >= SORANI["min_share"]:
            return SORANI["code"]
        return None
    if sum(ch in KURMANJI["letters"] for ch in text.lower()) < KURMANJI["min_letters"]:
        return None
    words = WORD.findall(text.lower())
    share = sum(word in KURMANJI_WORDS for word in words) / len(words) if words else 0.0
    return KURMANJI["code"] if share >= KURMANJI["min_word_share"] else None


def detect_language(text: str) -> tuple[str, float]:
    """Return (language code, confidence) for text, or ("und", 0.0) when it cannot tell."""
    sample = text[:MAX_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    DetectorFactory.seed = DETECTOR_SEED
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return UNDETERMINED, 0.0
    code = CODE_ALIASES.get(best.lang, best.lang)
    kurdish = kurdish_variant(sample, code)
    if kurdish:
        return kurdish, round(best.prob, 3)
    if best.prob < MIN_CONFIDENCE:
        return UNDETERMINED, round(best.prob, 3)
    return code, round(best.prob, 3)


def detect(article: Article) -> Article:
    """Fill article.language from title and body; prefer the page's declared language when detection is weak.

    Both answers are kept (detected_language, declared_language) so a researcher can compare.
    """
    code, confidence = detect_language(f"{article.title}\n{article.body}")
    article.language_confidence = confidence
    article.detected_language = code
    declared = (article.declared_language or "").lower() or None
    if declared and (code == UNDETERMINED or confidence < RULES["weak_confidence"]):
        article.language = declared
        article.methods["language"] = "declared"
    else:
        article.language = code
        article.methods["language"] = "langdetect"
    return article
