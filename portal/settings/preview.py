"""HDF5/NeXus preview (catalogue/preview/)."""

from .environment import env

# The most bytes one preview request may read from a file (a data selection, the values of
# a set of attributes); larger requests answer 413 and ask for a smaller selection. 64 MiB
# holds a 4096 x 4096 float32 image.
PREVIEW_MAX_BYTES = env.int("PORTAL_PREVIEW_MAX_BYTES", default=64 * 1024 * 1024)
