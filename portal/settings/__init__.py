"""Settings, assembled from one module per concern (see each module's docstring)."""

from .auth import *
from .cache import *
from .core import *
from .curation import *
from .database import *
from .datacite import *
from .environment import BASE_DIR, MODE, PRODUCTION, VAR_DIR
from .landing import *
from .mail import *
from .oaipmh import *
from .oidc import *
from .operations import *
from .preview import *
from .production import *
from .scicat import *
from .search import *
from .security import *
from .stats import *
from .tasks import *
