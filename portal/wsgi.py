import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
_default = get_wsgi_application()

from django.conf import settings  # noqa: E402

from portal.lean import LeanWSGIHandler, PathDispatcher  # noqa: E402 - after django.setup()

# The h5grove endpoints and the search API skip middleware they do not need (portal/lean.py).
application = (
    PathDispatcher(default=_default, lean=LeanWSGIHandler())
    if settings.LEAN_PATH_ENABLED
    else _default
)
