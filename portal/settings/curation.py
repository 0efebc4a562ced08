"""Curation: the checklist's embargo limit, review reminders, small uploads in the deposit form.

PORTAL_EMBARGO_MAX_YEARS caps ``embargo_until`` (a blocking checklist item); PORTAL_REVIEW_
REMINDER_DAYS is how long a submission may wait before the daily reminder names it;
PORTAL_UPLOAD_MAX_BYTES is the largest file the deposit form uploads (larger ones are copied
into the storage folder and registered from its listing).
"""

from .environment import env

EMBARGO_MAX_YEARS = env.int("PORTAL_EMBARGO_MAX_YEARS", default=3)
REVIEW_REMINDER_DAYS = env.int("PORTAL_REVIEW_REMINDER_DAYS", default=7)
UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_BYTES", default=1024**3)

# The portal's public address, for links in e-mails ("https://data.example.org"); unset: paths.
SITE_URL = env.str("PORTAL_SITE_URL", default="")

# Celery beat: the daily reminder of submissions waiting for review.
CURATION_BEAT_SCHEDULE = {  # joined into CELERY_BEAT_SCHEDULE (settings/tasks.py)
    "mail.review_reminder": {"task": "mail.review_reminder", "schedule": 24 * 60 * 60},
}
