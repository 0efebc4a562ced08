"""The group mapping of federated log-ins: a pure function, tested without a provider."""

import pytest

from portal.oidc import group_from_entitlement, group_names_from_claims, map_groups

HELMHOLTZ = "urn:geant:helmholtz.de:group:"


@pytest.mark.parametrize(
    ("value", "group"),
    [
        (f"{HELMHOLTZ}DESY:proposal-11012345#login.helmholtz.de", "DESY:proposal-11012345"),
        (f"{HELMHOLTZ}Helmholtz-member#login.helmholtz.de", "Helmholtz-member"),
        (f"{HELMHOLTZ}HZB:beamtime-42:role=member#login.helmholtz.de", "HZB:beamtime-42"),
        ("urn:mace:example.org:group:vo.example.eu:role=member#rciam.example.org",
         "vo.example.eu"),
        (f"{HELMHOLTZ}KIT:sub:deeper", "KIT:sub:deeper"),  # authority left out
        ("urn:mace:dir:entitlement:common-lib-terms", None),  # not a group entitlement
        ("urn:geant:helmholtz.de:group:#login.helmholtz.de", None),
    ],
)  # fmt: skip
def test_entitlement_urns(value, group):
    assert group_from_entitlement(value) == group


def test_names_from_every_configured_claim():
    claims = {
        "eduperson_entitlement": [
            f"{HELMHOLTZ}DESY:proposal-11012345#login.helmholtz.de",
            "urn:mace:dir:entitlement:common-lib-terms",
        ],
        "groups": ["/proposal-1", "/proposal-1", "beamline-p05", " ", 42, "x" * 151],
        "roles": ["ignored-claim"],
    }
    assert group_names_from_claims(claims, ["eduperson_entitlement", "groups"]) == [
        "DESY:proposal-11012345",
        "beamline-p05",
        "proposal-1",
    ]
    assert group_names_from_claims({"groups": "a, b c"}, "groups") == ["a", "b", "c"]
    assert group_names_from_claims({"groups": {"not": "a list"}}, "groups") == []
    assert group_names_from_claims({}, ["groups"]) == []


def _map(names, existing=(), patterns=(), curators=(), reviewers=()):
    return map_groups(
        names=list(names),
        existing=set(existing),
        patterns=list(patterns),
        curator_groups=list(curators),
        reviewer_groups=list(reviewers),
    )


def test_only_existing_groups_are_joined_by_default():
    decision = _map(["proposal-1", "proposal-2"], existing=["proposal-1"])
    assert decision.join == {"proposal-1"}
    assert decision.create == set()
    assert decision.ignored == {"proposal-2"}
    assert not decision.curator


def test_patterns_allow_creating_groups_on_first_sight():
    decision = _map(
        ["DESY:proposal-11012345", "Helmholtz-member", "HZB:beamtime-1"],
        patterns=["DESY:proposal-*", "HZB:*"],
    )
    assert decision.join == decision.create == {"DESY:proposal-11012345", "HZB:beamtime-1"}
    assert decision.ignored == {"Helmholtz-member"}


def test_a_provider_group_named_curators_grants_nothing():
    decision = _map(["curators", "reviewers"], existing=["curators", "reviewers"],
                    patterns=["*"])  # fmt: skip
    assert decision.join == set()
    assert not decision.curator and not decision.reviewer
    assert decision.provider_groups == set()


def test_listed_curator_groups_grant_the_role_whether_or_not_they_exist():
    decision = _map(["DESY:portal-curators"], curators=["DESY:portal-curators"])
    assert decision.curator and not decision.reviewer
    assert decision.provider_groups == {"curators"}
    assert decision.ignored == set()
    reviewer = _map(["DESY:portal-reviewers"], reviewers=["DESY:portal-reviewers"])
    assert reviewer.provider_groups == {"reviewers"}
