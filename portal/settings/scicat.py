"""SciCat-compatible API at ``/scicat/api/v3`` and ``/v4``, and ``import_scicat``."""

from django.core.exceptions import ImproperlyConfigured

from .environment import env

# Prefix of the pids this portal assigns when a SciCat client sends none: "<prefix>/<uuid>",
# as SciCat's PID_PREFIX does.
SCICAT_PID_PREFIX = env.str("PORTAL_SCICAT_PID_PREFIX", default="portal")
# Lifetime of the JWTs that POST /scicat/api/v3/auth/login hands out (SciCat: expiresIn 3600).
SCICAT_TOKEN_LIFETIME_SECONDS = env.int("PORTAL_SCICAT_TOKEN_LIFETIME_SECONDS", default=3600)
# "/scicat/prefix=portal/prefix,...": a SciCat sourceFolder under a SciCat prefix becomes the
# storage folder (relative to PORTAL_STORAGE_ROOT) under the portal prefix. The longest
# matching prefix wins; a sourceFolder no prefix matches has no local folder.
SCICAT_SOURCE_FOLDER_MAP: list[tuple[str, str]] = []
for _item in env.list("PORTAL_SCICAT_SOURCE_FOLDER_MAP", default=[]):
    if "=" not in _item:
        raise ImproperlyConfigured(
            "PORTAL_SCICAT_SOURCE_FOLDER_MAP entries look like /scicat/prefix=portal/prefix, "
            f"not {_item!r}"
        )
    _src, _dst = (part.strip() for part in _item.split("=", 1))
    SCICAT_SOURCE_FOLDER_MAP.append((_src.rstrip("/"), _dst.strip("/")))
SCICAT_SOURCE_FOLDER_MAP.sort(key=lambda pair: len(pair[0]), reverse=True)

# import_scicat on a schedule (Celery beat) when both are set: the source's API base URL
# (".../api/v3") and a crontab "minute hour day-of-month month day-of-week".
SCICAT_IMPORT_URL = env.str("PORTAL_SCICAT_IMPORT_URL", default="")
SCICAT_IMPORT_SCHEDULE = env.str("PORTAL_SCICAT_IMPORT_SCHEDULE", default="")
SCICAT_IMPORT_TOKEN = env.str("PORTAL_SCICAT_IMPORT_TOKEN", default="")
SCICAT_IMPORT_USERNAME = env.str("PORTAL_SCICAT_IMPORT_USERNAME", default="")
SCICAT_IMPORT_PASSWORD = env.str("PORTAL_SCICAT_IMPORT_PASSWORD", default="")
SCICAT_IMPORT_FILTER = env.json("PORTAL_SCICAT_IMPORT_FILTER", default={})

SCICAT_BEAT_SCHEDULE: dict = {}  # joined into CELERY_BEAT_SCHEDULE (settings/tasks.py)
if SCICAT_IMPORT_URL and SCICAT_IMPORT_SCHEDULE:
    from celery.schedules import crontab

    _fields = SCICAT_IMPORT_SCHEDULE.split()
    if len(_fields) != 5:
        raise ImproperlyConfigured(
            "PORTAL_SCICAT_IMPORT_SCHEDULE is cron syntax with five fields "
            f"('minute hour day-of-month month day-of-week'), not {SCICAT_IMPORT_SCHEDULE!r}"
        )
    _minute, _hour, _dom, _month, _dow = _fields
    SCICAT_BEAT_SCHEDULE["scicat-import"] = {
        "task": "scicat.tasks.scicat_import_scheduled",
        "schedule": crontab(
            minute=_minute, hour=_hour, day_of_month=_dom, month_of_year=_month, day_of_week=_dow
        ),
    }
elif SCICAT_IMPORT_SCHEDULE and not SCICAT_IMPORT_URL:
    raise ImproperlyConfigured("PORTAL_SCICAT_IMPORT_SCHEDULE needs PORTAL_SCICAT_IMPORT_URL")
