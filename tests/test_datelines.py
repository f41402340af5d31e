"""Datelines and wire agencies, the same for text dumps and HTML pages."""

from __future__ import annotations

import pytest

from indexer.datelines import agency_name, agency_of, dateline_of


@pytest.mark.parametrize(
    ("opening", "expected"),
    [
        ("MADRID — Rafael Nadal kept Spain's hopes alive", ("Madrid", None)),
        ("Berlin (dpa) - Die Regierung hat", ("Berlin", "dpa")),
        ("ERBIL, Kurdistan Region - Officials met", ("Erbil", None)),
        ("NEW YORK (Reuters) - Stocks fell", ("New York", "Reuters")),
        ("(AFP) - The minister said", (None, "AFP")),
        ("Ankara (AA) - Turkish officials", ("Ankara", "AA")),
        ("LONDON (PA) – The Prime Minister", ("London", "PA")),
        ("Tehran (IRNA) - The minister", ("Tehran", "IRNA")),
        ("The president said - nothing", (None, None)),
        ("Berlin - Die Regierung hat", (None, None)),  # no credit, not in capitals: a sentence may start so
        ("AFP - The minister said", (None, "AFP")),
    ],
)
def test_dateline_of_a_first_paragraph(opening, expected) -> None:
    assert dateline_of(opening) == expected


def test_agencies_are_given_by_their_canonical_name() -> None:
    assert agency_name("Agence France-Presse") == "AFP"
    assert agency_name("dpa/lnw") == "dpa"
    assert agency_name("Europa Press") == "Europa Press"
    assert agency_name("Anadolu Agency") == "AA"
    assert agency_name("Jane Doe") is None
    assert agency_of(["Jane Doe", "The Associated Press"]) == "AP"
    assert agency_of(["Jane Doe"]) is None
