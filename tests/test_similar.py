"""Similar-article rules, written once for every engine: shared topic keys, own versions left out, order."""

from __future__ import annotations

from search.similar import SIMILAR_SHARED_KEYS, related_order, similar_counts

ARTICLES_WITH_KEY = {"Erbil": [1, 2, 3, 4], "Barzani": [1, 2, 4], "Baghdad": [1, 3, 5]}


def test_articles_sharing_enough_keys_are_similar_but_not_itself_or_its_versions():
    found = similar_counts(["Erbil", "Barzani", "Baghdad"], ARTICLES_WITH_KEY.__getitem__, leave_out=[1, 4])
    assert found == {2: 2, 3: 2}
    assert all(shared >= SIMILAR_SHARED_KEYS for shared in found.values())


def test_an_article_with_too_few_keys_has_no_similar_articles():
    assert similar_counts(["Erbil"], ARTICLES_WITH_KEY.__getitem__, leave_out=[1]) == {}


def test_related_order_most_shared_then_closest_in_time_then_undated():
    similar = {"a": 2, "b": 3, "c": 2, "d": 2}
    distance = {"a": 50.0, "b": 900.0, "c": 10.0, "d": None}.__getitem__
    assert related_order(similar, distance, limit=3) == ["b", "c", "a"]
    assert related_order(similar, distance, limit=10)[-1] == "d"
