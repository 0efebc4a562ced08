"""The SciCat mapping's pure parts: v3 names, sourceFolder prefixes, error paths, checks."""

import pytest

from scicat.mapping import (
    ScicatInputError,
    check_fields,
    normalise,
    scicat_error_path,
    storage_folder_for,
    v3_names,
)


def test_v3_singular_fields_become_v4_lists_and_back():
    fields = normalise(
        {"principalInvestigator": "A", "proposalId": "p1", "sampleId": "", "investigator": "B"},
        version="v3",
    )
    assert fields == {"principalInvestigators": ["A"], "proposalIds": ["p1"], "sampleIds": []}
    assert v3_names({"principalInvestigators": ["A"], "proposalIds": ["p1"]}, "raw") == {
        "principalInvestigator": "A",
        "proposalId": "p1",
    }
    assert v3_names({"principalInvestigators": ["B"]}, "derived") == {"investigator": "B"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("/data/scicat/2024/x", "beamline/2024/x"),
        ("/data/scicat", "beamline"),
        ("/data/scicat/p11/run1", "p11-storage/run1"),  # the longest prefix wins
        ("/data/scicatother/x", ""),  # a prefix matches whole path segments only
        ("/elsewhere/x", ""),
        ("", ""),
    ],
)
def test_source_folder_map(settings, source, expected):
    settings.SCICAT_SOURCE_FOLDER_MAP = [
        ("/data/scicat/p11", "p11-storage"),
        ("/data/scicat", "beamline"),
    ]
    assert storage_folder_for(source) == expected


def test_writer_error_paths_name_scicat_fields():
    assert scicat_error_path("title") == "datasetName"
    assert scicat_error_path("access_groups[2]") == "accessGroups[2]"
    assert scicat_error_path("dates.collection_end") == "endTime"
    assert scicat_error_path("creators[0].orcid") == "orcidOfOwner"
    assert scicat_error_path("techniques[1]") == "techniques[1]"


def test_check_fields_names_every_problem_at_once():
    with pytest.raises(ScicatInputError) as info:
        check_fields(
            {"type": "raw", "colour": 1, "keywords": "x", "isPublished": "yes"},
            version="v4",
            create=True,
        )
    errors = info.value.errors
    assert {"colour", "keywords", "isPublished", "ownerGroup", "contactEmail"} <= set(errors)
    check_fields({"size": 3, "createdAt": "x", "_id": "y"}, version="v3", create=False)
