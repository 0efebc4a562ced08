"""PaNET's hierarchy in search: a technique stands for itself and its narrower techniques."""

import pytest

from catalogue.search.queries import PANET_BASE, like_regex, like_wildcard
from catalogue.search.techniques import iris_with_narrower, techniques_with_narrower

pytestmark = pytest.mark.django_db

SAXS = PANET_BASE + "PaNET01188"
SANS = PANET_BASE + "PaNET01189"
SAS = PANET_BASE + "PaNET01124"  # small angle scattering, broader than both


def test_a_technique_stands_for_its_narrower_ones():
    expanded = techniques_with_narrower(["small angle scattering", SAXS, "PaNET-nonsense"])
    assert {SAXS, SANS, SAS} <= set(expanded["small angle scattering"])
    assert expanded[SAXS][0] == SAXS and SANS not in expanded[SAXS]  # not sideways or up
    assert "PaNET-nonsense" not in expanded
    # Labels ignore case; the IRI list starts with the technique itself.
    assert techniques_with_narrower(["Small Angle Scattering"])["Small Angle Scattering"][0] in (
        SAS,
        PANET_BASE + "PaNET2020072",  # PaNET has two classes with this label: both count
    )
    assert SAXS in iris_with_narrower([SAS]) and iris_with_narrower([SAXS]) == expanded[SAXS]


@pytest.mark.parametrize(
    ("pattern", "text", "hit"),
    [
        ("saxs%", "saxs of lysozyme", True),
        ("saxs%", "the saxs", False),
        ("%saxs", "the saxs", True),
        ("s_xs", "saxs", True),
        ("saxs", "the saxs data", True),  # no wildcard: a substring
        ("a.b", "axb", False),  # regex characters are literal
    ],
)
def test_like_patterns(pattern, text, hit):
    import re

    assert (re.search(like_regex(pattern), text) is not None) is hit


def test_like_wildcards():
    assert like_wildcard("saxs%") == "saxs*"
    assert like_wildcard("s_xs") == "s?xs"
    assert like_wildcard("saxs") == "*saxs*"
    assert like_wildcard("a*b%") == "a\\*b*"
