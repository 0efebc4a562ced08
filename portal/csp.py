"""Per-page additions to the Content-Security-Policy (portal/settings/security.py).

The HDF5 viewer (H5Web) compiles array kernels at run time (ndarray's ``new Function``), which
CSP counts as eval. Only the pages that embed the viewer (dataset page, DOI landing page) allow
it; every other page keeps the strict script policy. Found by tests/portal/test_hardening_browser.
"""

from csp.decorators import csp_update

VIEWER_CSP = {"script-src": ["'unsafe-eval'"]}

viewer_page = csp_update(VIEWER_CSP)
