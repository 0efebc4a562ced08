"""After the view: turn the response's usage marks into events, recorded after sending."""

from stats.tracking import record_after_response


class UsageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_usage_marks", None):
            record_after_response(request, response)
        return response
