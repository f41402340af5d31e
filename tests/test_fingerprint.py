"""Near-duplicate fingerprints: lightly edited copies share band keys, different stories do not."""

from __future__ import annotations

import random

from indexer.fingerprint import BANDS, band_keys, similarity
from search.duplicates import NEAR_DUPLICATE_SHARED_KEYS

WIRE_STORY = (
    "Iraqi security forces arrested three men suspected of planning attacks on polling stations in the northern "
    "city of Mosul on Sunday, a police spokesman said. The men were carrying explosives and maps of the city "
    "centre when they were stopped at a checkpoint near the old bridge. Provincial elections are due next month "
    "and officials have promised extra protection for voters. The spokesman said the suspects were being "
    "questioned and that more arrests were possible. Turnout in the province was low at the last elections, "
    "when many families stayed at home after a string of bombings in the weeks before the vote. Election "
    "officials say they have printed more ballots this time and opened new polling stations in villages."
)
OTHER_STORY = (
    "The central bank left its main interest rate unchanged on Thursday and said inflation was slowing faster "
    "than expected, sending the currency lower against the dollar. Economists had been divided before the "
    "decision, with some expecting a cut of a quarter point. The governor told reporters that the bank would "
    "watch wage growth closely over the coming months and was ready to act if prices rose again. Exporters "
    "welcomed the weaker currency, while importers warned of higher costs for fuel and machinery this winter."
)


def shared(first: str, second: str) -> int:
    return len(set(band_keys(first)) & set(band_keys(second)))


def edited(text: str, changes: int, seed: int = 7) -> str:
    """Replace `changes` words at random: what a copy desk does to a wire story."""
    rng = random.Random(seed)
    words = text.split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(["reportedly", "officials", "Tuesday", "local"])
    return " ".join(words)


def test_a_lightly_edited_copy_shares_enough_keys():
    copy = edited(WIRE_STORY, 3) + " Reporting by the newsroom; editing by the desk."
    assert shared(WIRE_STORY, copy) >= NEAR_DUPLICATE_SHARED_KEYS
    assert similarity(WIRE_STORY, copy) > 0.6


def test_the_same_text_shares_every_key_whatever_the_case_and_spacing():
    assert band_keys(WIRE_STORY) == band_keys("  " + WIRE_STORY.upper().replace(" ", "\n"))
    assert len(band_keys(WIRE_STORY)) == BANDS


def test_different_stories_share_no_keys():
    assert shared(WIRE_STORY, OTHER_STORY) < NEAR_DUPLICATE_SHARED_KEYS
    assert similarity(WIRE_STORY, OTHER_STORY) < 0.2


def test_a_heavily_rewritten_story_is_not_a_near_duplicate():
    rewritten = edited(WIRE_STORY, 40, seed=3)
    assert shared(WIRE_STORY, rewritten) < NEAR_DUPLICATE_SHARED_KEYS


def test_too_short_texts_get_no_keys():
    assert band_keys("Militias attacked a base near Baghdad airport.") == []
    assert similarity("short", "short") == 0.0
