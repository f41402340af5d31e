"""Detect an article's language with langdetect, deterministically, saying "und" when unsure."""

from __future__ import annotations

from langdetect import DetectorFactory, LangDetectException, detect_langs

from indexer.article import Article

UNDETERMINED = "und"
# Fewer letters than this and langdetect's answer is close to a coin toss.
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.5
# langdetect samples randomly; without a fixed seed short texts flip between runs.
DETECTOR_SEED = 0
# Enough text to decide; more only costs time.
MAX_SAMPLE_CHARS = 5000
# langdetect's Chinese codes carry a script; the archive records the primary subtag.
CODE_ALIASES = {"zh-cn": "zh", "zh-tw": "zh"}


def detect_language(text: str) -> tuple[str, float]:
    """Return (ISO 639-1 code, confidence) for text, or ("und", 0.0) when it cannot tell."""
    sample = text[:MAX_SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    DetectorFactory.seed = DETECTOR_SEED
    try:
        best = detect_langs(sample)[0]
    except LangDetectException:
        return UNDETERMINED, 0.0
    if best.prob < MIN_CONFIDENCE:
        return UNDETERMINED, round(best.prob, 3)
    return CODE_ALIASES.get(best.lang, best.lang), round(best.prob, 3)


def detect(article: Article) -> Article:
    """Fill article.language from its title and body; prefer a declared language when detection is unsure."""
    code, confidence = detect_language(f"{article.title}\n{article.body}")
    article.language_confidence = confidence
    if code == UNDETERMINED and article.declared_language:
        article.language = article.declared_language
        article.methods["language"] = "declared"
    else:
        article.language = code
        article.methods["language"] = "langdetect"
    return article
