"""The search index mapping: one elasticsearch-dsl Document per dataset.

Text that people type queries against is analysed (``portal_text``); everything offered as a
facet or used for sorting is a keyword (a ``raw`` subfield next to the text, or a plain keyword
field). Scientific metadata is a ``nested`` list of entries, one per dotted key, so any key is
searchable without one mapping field per key (SciCat adds a field per key and cannot search
uncommon or nested keys).

Text is analysed with the standard tokenizer, lower-casing, ASCII folding ("Zürich" finds
"Zurich") and light English stemming ("crystals" finds "crystal", "enzymes" finds
"enzyme"): the components of Elasticsearch's ``analysis-common`` module, which every
standard distribution ships. The test node (integ-test-zip) gets them from the test plugin
that ``scripts/services.sh`` installs, so tests and production share this mapping. KStem
(``light_english``) rather than Porter: it conflates plurals and tenses without merging
distinct technical terms ("polarisation" and "polar" stay apart).

The index behind the alias is versioned (``<prefix>-datasets-<timestamp>``); ``reindex``
builds a new one and swaps the alias atomically.
"""

from django.conf import settings
from elasticsearch_dsl import (
    Boolean,
    Date,
    Document,
    Double,
    InnerDoc,
    Integer,
    Keyword,
    Long,
    MetaField,
    Nested,
    Object,
    Text,
    analyzer,
    normalizer,
    token_filter,
)

english_possessive = token_filter(
    "portal_english_possessive", type="stemmer", language="possessive_english"
)
english_light = token_filter("portal_english_light", type="stemmer", language="light_english")
portal_text = analyzer(
    "portal_text",
    tokenizer="standard",
    filter=[english_possessive, "lowercase", "asciifolding", english_light],
)
lowercase = normalizer("portal_lowercase", filter=["lowercase"])

# Longer text values are not worth an exact-match keyword (and Lucene limits terms to 32 KiB).
TEXT_VALUE_MAX = 256


def _text_with_raw(**kwargs) -> Text:
    """Analysed text plus a ``raw`` keyword subfield: facet values and exact filters.

    No norms: these are short values (names, keywords) where length says nothing about
    relevance, and skipping them makes indexing cheaper."""
    return Text(
        analyzer=portal_text,
        norms=False,
        fields={"raw": Keyword(ignore_above=TEXT_VALUE_MAX, eager_global_ordinals=True)},
        **kwargs,
    )


class ScientificEntryDoc(InnerDoc):
    """One leaf of the scientific metadata (``catalogue.scimeta.ScientificEntry``)."""

    key = Keyword()  # dotted path: "sample.temperature"
    # Text value, case-insensitive exact match (eq/ne), with a word subfield (contains).
    text = Keyword(
        normalizer=lowercase,
        ignore_above=TEXT_VALUE_MAX,
        fields={"words": Text(analyzer=portal_text, norms=False)},
    )
    number = Double()  # the value as given (a list of numbers gives several)
    unit = Keyword()  # the unit as given: "degC"
    si_value = Double()  # the value in SI base units (pint): 300.0 for 26.85 degC
    si_unit = Keyword()  # SI base units: "K"; "1" for dimensionless


class DatasetDocument(Document):
    pid = Keyword()
    # The pid's first 60 bits as a number: a tiebreaker for stable paging that sorts like the
    # pid itself, at the cost of a number (sorting on a keyword pid was 5x slower at 100k).
    pid_order = Long()
    doi = Keyword()  # lower case, as stored
    status = Keyword()
    principals = Keyword()  # who may read it: "public", "group:<id>", "user:<id>"

    title = Text(
        analyzer=portal_text,
        # Titles hold up to 500 characters: all of them sort (ignore_above would drop some).
        fields={
            "sort": Keyword(normalizer=lowercase, ignore_above=1024),
            # As written: exact and LIKE-pattern tests (PaNOSC's eq/like/ilike on title).
            "exact": Keyword(ignore_above=1024),
        },
    )
    # The title's first nine characters as a number: the primary key of the title sort, so
    # Elasticsearch can skip documents by their points on deep pages (a keyword sort cannot).
    title_order = Long()
    description = Text(analyzer=portal_text)
    summary = Keyword(index=False, doc_values=False)  # first lines, for cards without a hit
    keywords = _text_with_raw()
    # Names as written plus ASCII-folded variants ("García" and "Garcia").
    creators = Text(analyzer=portal_text, norms=False)
    creator_names = Keyword(index=False, doc_values=False)  # for display, in order
    creator_orcids = Keyword()
    facility = _text_with_raw()  # facility name: the facet value
    facility_code = Keyword()
    facility_short_name = Keyword(index=False, doc_values=False)
    instrument = _text_with_raw()  # instrument name
    instrument_code = Keyword()
    instrument_pid = Keyword()  # PIDINST/handle, when recorded
    techniques = _text_with_raw()  # PaNET labels
    technique_iris = Keyword()
    proposal_id = Keyword()
    # "<facility code>/proposal/<proposal id>": the proposal across facilities (PaNOSC's
    # Document pid), so documents are an aggregation over datasets, not a database join.
    proposal_pid = Keyword()
    # Identifiers of the publications the dataset is a supplement of (DataCite
    # IsSupplementTo; DOIs in lower case): PaNOSC's publication Documents.
    supplement_to = Keyword()
    proposal_title = Text(analyzer=portal_text)
    sample = Text(analyzer=portal_text, norms=False)  # sample name and description
    sample_name = Keyword(ignore_above=TEXT_VALUE_MAX)  # exact tests (PaNOSC samples)
    scientific_text = Text(analyzer=portal_text, norms=False)  # scientific text values

    resource_type = Keyword(eager_global_ordinals=True)  # DataCite resourceTypeGeneral
    resource_type_specific = Keyword()
    license = Keyword(eager_global_ordinals=True)  # SPDX id
    publication_year = Integer()
    has_doi = Boolean()
    # A later version of the same record is published: hidden unless all_versions=1.
    superseded = Boolean()
    concept_pid = Keyword()

    sort_date = Date()  # published_at, or created_at for unpublished records
    published_at = Date()
    created_at = Date()
    updated_at = Date()
    collection_start = Date()
    collection_end = Date()
    embargo_until = Date()
    file_count = Long()
    total_size = Long()

    scientific = Nested(ScientificEntryDoc)
    scientific_keys = Keyword()  # the dotted keys present, without nested joins
    # Stored, never indexed: what API objects show beyond the fields above (the scientific
    # metadata as stored, with its units; the sample description), so a page of results is
    # served from the index alone (the PaNOSC API's parameters and samples).
    record = Object(enabled=False)

    class Meta:
        # A typo in dataset_to_document fails loudly instead of adding a stray field.
        dynamic = MetaField("strict")
        # Searched, never shown: not stored in _source (the database is the source of truth
        # and `reindex` rebuilds from it, so nothing needs them back from the index).
        source = MetaField(excludes=["scientific", "scientific_text", "creators"])

    class Index:
        # The real name is set per call (versioned, behind the alias): see index_name().
        name = "datasets"
        settings = {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            # A dataset holds at most scimeta.MAX_ENTRIES entries.
            "mapping.nested_objects.limit": 10_000,
        }


def alias_name() -> str:
    """The alias every reader and writer uses: ``<PORTAL_ELASTICSEARCH_INDEX_PREFIX>-datasets``."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-datasets"


def index_body() -> dict:
    """Settings and mappings of a new index, as sent to ``indices.create``."""
    return DatasetDocument._index.to_dict()
