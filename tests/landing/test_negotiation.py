"""landing.negotiation: RFC 9110 §12.5.1 Accept handling (q-values, specificity, q=0)."""

from landing.negotiation import negotiate, parse_accept

OFFERS = ["text/html", "application/ld+json", "application/x-bibtex", "text/x-bibliography"]


def test_parse_accept_reads_q_and_parameters():
    ranges = parse_accept('text/x-bibliography; style="apa;7"; locale=en-US; q=0.5, */*;q=0.1')
    assert ranges[0].type == "text/x-bibliography"
    assert ranges[0].q == 0.5
    assert ranges[0].params == {"style": "apa;7", "locale": "en-US"}
    assert ranges[1].type == "*/*" and ranges[1].q == 0.1


def test_malformed_members_are_skipped():
    assert [r.type for r in parse_accept("garbage, ,text/html;q=abc, application/x-bibtex")] == [
        "text/html",
        "application/x-bibtex",
    ]
    assert parse_accept("text/html;q=abc")[0].q == 0.0
    assert parse_accept("text/html;q=7")[0].q == 1.0


def test_choice():
    assert negotiate(None, OFFERS) == ("text/html", {})
    assert negotiate("", OFFERS) == ("text/html", {})
    assert negotiate("*/*", OFFERS)[0] == "text/html"
    assert negotiate("application/x-bibtex", OFFERS)[0] == "application/x-bibtex"
    assert negotiate("APPLICATION/X-BIBTEX", OFFERS)[0] == "application/x-bibtex"
    assert negotiate("application/x-bibtex;q=0.4, application/ld+json", OFFERS)[0] == (
        "application/ld+json"
    )
    # Equal q: the header's order decides.
    assert negotiate("application/x-bibtex, application/ld+json", OFFERS)[0] == (
        "application/x-bibtex"
    )
    # The most specific range sets an offer's q: text/* at 0.9 but text/html at 0.1.
    assert negotiate("text/*;q=0.9, text/html;q=0.1", OFFERS)[0] == "text/x-bibliography"
    # q=0 refuses, even under a wildcard.
    assert negotiate("text/html;q=0, */*", OFFERS)[0] == "application/ld+json"
    assert negotiate("application/pdf", OFFERS) is None
    assert negotiate("*/*;q=0", OFFERS) is None


def test_parameters_of_the_deciding_range_are_returned():
    chosen = negotiate("text/x-bibliography; style=ieee; locale=de-DE", OFFERS)
    assert chosen == ("text/x-bibliography", {"style": "ieee", "locale": "de-DE"})
