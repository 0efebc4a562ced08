"""Static files storage of production: WhiteNoise's compressed, fingerprinted files.

Not strict about the manifest: a file missing from it (the HDF5 viewer bundle when Node.js was
not there to build it) gets its plain URL, which answers 404, instead of turning every page
that names it into a 500.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
