"""Datelines and wire agencies: "ERBIL, Kurdistan Region - ", "Berlin (dpa) -", "(AFP) -", a byline "AP".

One parser and one agency list (the `agencies` of indexer/rules/phrases/*.json) for text dumps and HTML
pages alike, so a story says "AFP" and "Madrid" whichever format it was saved in.
"""

from __future__ import annotations

import re

from indexer.phrases import load_phrase_rules, normalise

# Wire agency as written (normalised) -> its canonical name ("agence france-presse" -> "AFP").
AGENCIES = {normalise(name): canonical for name, canonical in load_phrase_rules()["agencies"].items()}

DATELINE_START = re.compile(
    r"^[-—–]?\s*([^\W\d_][\w'’.\- ]{1,40}?)\s*(?:,[^-—–:(]{0,60}?)?\s*"
    r"(?:\(([^)]{2,40})\))?\s*(?:[-—–:]\s|$)"
)
AGENCY_START = re.compile(r"^\(([^)]{2,40})\)\s*[-—–:]\s")
AGENCY_SEPARATORS = re.compile(r"[/,;]")


def agency_name(text: str | None) -> str | None:
    """Return the canonical wire agency for a credit like "AFP" or "dpa/lnw", or None."""
    if not text:
        return None
    for part in AGENCY_SEPARATORS.split(text):
        name = AGENCIES.get(normalise(part))
        if name:
            return name
    return None


def dateline_of(text: str) -> tuple[str | None, str | None]:
    """Return (place, agency) from a paragraph start like "ERBIL, Kurdistan - " or "Berlin (dpa) -".

    Without an agency credit only an all-capitals place reads as a dateline ("MADRID —"): "The
    president said - " is a sentence. An all-capitals place is given in title case, as it is written
    when the page does not shout it.
    """
    match = AGENCY_START.match(text)
    if match:
        return None, agency_name(match.group(1))
    match = DATELINE_START.match(text)
    if not match:
        return None, None
    place, agency = match.group(1).strip(" .-"), agency_name(match.group(2))
    letters = [ch for ch in place if ch.isalpha()]
    if agency and len(place.split()) <= 3 and place[0].isupper():
        return (place.title() if place.isupper() else place), agency
    if len(letters) >= 3 and place.isupper() and len(place.split()) <= 3 and normalise(place) not in AGENCIES:
        return place.title(), None
    if place.isupper() and agency_name(place):
        return None, agency_name(place)
    return None, None


def agency_of(authors: list[str]) -> str | None:
    """The first author that is a wire agency ("AP", "dpa", "Agence France-Presse"), by its canonical name."""
    for name in authors:
        if agency := AGENCIES.get(normalise(name)):
            return agency
    return None
