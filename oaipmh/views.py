"""``/oai``: the OAI-PMH 2.0 endpoint (GET, and POST with application/x-www-form-urlencoded)."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page

from oaipmh.protocol import BAD_ARGUMENT, OAIError, parse_request
from oaipmh.responses import error_document, respond
from portal.throttling import throttled

CONTENT_TYPE = "text/xml; charset=utf-8"


@csrf_exempt  # harvesters POST without cookies or CSRF tokens (§3.1.1.2); nothing is written
@gzip_page  # §3.1.3: gzip when the harvester accepts it (Identify says so), streamed too
# OAI-PMH 2.0 §3.1.2.2: flow control is 503 with Retry-After, which harvesters (Sickle,
# the PaNOSC portal's) wait for and retry; PORTAL_THROTTLE_OAI sets the rate.
@throttled("oai", status=503)
def oai_endpoint(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    now = timezone.now()
    if request.method == "POST":
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        # §3.1.1.2 names x-www-form-urlencoded; multipart forms carry the same arguments.
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            error = OAIError(
                BAD_ARGUMENT,
                "POST requests must send their arguments as application/x-www-form-urlencoded "
                f"(OAI-PMH 2.0 §3.1.1.2), not {content_type or 'no content type'}.",
            )
            return HttpResponse(error_document(error, arguments=None, now=now), CONTENT_TYPE)
        params = request.POST
    else:
        params = request.GET
    arguments = {name: values[-1] for name, values in params.lists()}
    try:
        oai_request = parse_request(params.lists())
        body = respond(oai_request, now=now)
    except OAIError as error:
        # Errors are answered with HTTP 200 and an <error> element (§3.6).
        return HttpResponse(error_document(error, arguments=arguments, now=now), CONTENT_TYPE)
    response = StreamingHttpResponse(body, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-cache"
    return response
