"""Demo: one record with two published versions (issue 13 §2), for the Versions box, the
concept DOI and "all versions" in search. Idempotent: a second run finds version 2."""

import datetime

from catalogue.models import Dataset, Status
from catalogue.services.datasets import dataset_update
from catalogue.services.versions import dataset_new_version

# The record: alice's first PETRA III P11 proposal (she may make version 3 on the site).
VERSIONED_PROPOSAL = ("petra3-p11", 0)


def build_versioned_record(builder) -> Dataset | None:
    """Give one published demo record a second, published version (metadata and files carried
    over, a corrected description), through the real services. Returns version 2."""
    group = builder._group_name(builder.proposals[VERSIONED_PROPOSAL])
    # Among the builder's own planned records (fixed pids), never one the other demo parts
    # add to the same group with pids of their own (conversations), so a rerun finds it again.
    from catalogue.demo.builder import _pid  # (the builder imports this module)

    planned = [_pid(f"demo-dataset-{spec['index']}") for spec in builder.plan()]
    v1 = (
        Dataset.objects.filter(
            status=Status.PUBLISHED, owner_group__name=group, based_on=None, pid__in=planned
        )
        .order_by("pid")
        .first()
    )
    if v1 is None:
        return None
    if v1.concept_id is not None:
        existing = Dataset.objects.filter(concept_id=v1.concept_id, based_on=v1).first()
        if existing is not None:
            return existing
    draft = dataset_new_version(dataset=v1, actor=None).draft
    major = v1.version.split(".")[0]
    label = f"{int(major) + 1}.0" if major.isdigit() else "2"
    published_at = (v1.published_at or datetime.datetime.now(datetime.UTC)) + datetime.timedelta(
        days=90
    )
    draft = dataset_update(
        dataset=draft,
        data={
            "version": label,
            "publication_year": published_at.year,  # the demo's back-dated publication
            "description": v1.description
            + "\n\nVersion 2: intensities re-normalised after the detector's flat-field "
            "calibration was corrected; the raw frames are unchanged.",
        },
        actor=None,
    )
    builder._move(draft, Status.PUBLISHED, published_at)
    return Dataset.objects.get(pk=draft.pk)
