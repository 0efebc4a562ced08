"""What the PaNOSC API may show: public records only, as anonymous visitors see them.

The one place this app asks ``catalogue.access``: the search runs on behalf of an anonymous
user (the gate's search principals), every row it loads comes from the gate's public
queryset, and files are linked only when the gate says they are open.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from catalogue.access import datasets_public, files_embargoed
from catalogue.models import Dataset
from catalogue.search.queries import identifier_in


def search_user():
    """Who the search runs as: nobody, so it sees what the public sees."""
    return AnonymousUser()


def public_datasets(queryset: QuerySet | None = None) -> QuerySet:
    return datasets_public(queryset)


def public_dataset_by_pid(pid: str, queryset: QuerySet | None = None) -> Dataset | None:
    """The public dataset with this DOI or portal pid, or None (drafts, withdrawn, unknown)."""
    identifier = identifier_in(pid or "")
    if identifier is None:
        return None
    kind, value = identifier
    qs = queryset if queryset is not None else Dataset.objects.all()
    qs = datasets_public(qs)
    return qs.filter(**{kind: value}).first()


def files_open(dataset: Dataset) -> bool:
    """Whether the public may download the files now (listed either way)."""
    return not files_embargoed(dataset)
