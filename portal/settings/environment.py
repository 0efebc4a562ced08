"""Where every setting comes from: environment variables with the ``PORTAL_`` prefix.

With nothing set the portal runs in the *embedded* mode (SQLite under ``var/``, the database
search backend, eager tasks, a local storage folder, console e-mail), so ``make demo`` works on
any machine. ``PORTAL_MODE=production`` switches on the checks in ``production.py``.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

MODE = env.str("PORTAL_MODE", default="embedded")
if MODE not in {"embedded", "production"}:
    raise environ.ImproperlyConfigured(
        f"PORTAL_MODE must be 'embedded' or 'production', not {MODE!r}"
    )
PRODUCTION = MODE == "production"
