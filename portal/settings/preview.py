"""HDF5/NeXus preview (catalogue/preview/)."""

from .environment import env

# The most bytes one preview request may read from a file (a data selection, the values of
# a set of attributes); larger requests answer 413 and ask for a smaller selection. 64 MiB
# holds a 4096 x 4096 float32 image.
PREVIEW_MAX_BYTES = env.int("PORTAL_PREVIEW_MAX_BYTES", default=64 * 1024 * 1024)

# HDF5 files each worker process keeps open between preview requests (0: open and close the
# file on every request). H5Web sends dozens of requests per view to one file; opening it
# costs more than reading a small slice. A handle is reused only while the file's device,
# inode, size, mtime and ctime are unchanged (catalogue/preview/handles.py); access and the
# file policy are still decided on every request.
PREVIEW_OPEN_FILES = env.int("PORTAL_PREVIEW_OPEN_FILES", default=16)
# An open file nobody asked for in this many seconds is closed (at the worker's next preview
# request).
PREVIEW_OPEN_FILES_IDLE_SECONDS = env.int("PORTAL_PREVIEW_OPEN_FILES_IDLE_SECONDS", default=60)

# HDF5's sieve buffer for contiguous (unchunked) datasets: each piece of a strided selection
# is read through a buffer of this size. HDF5's default, 64 KiB, reads 64 KiB per row of a 2D
# tile: a 512 x 512 float32 window of an 11264-wide image read 32 MiB for 1 MiB wanted. 0 (no
# buffer) is slowest on narrow datasets, whose rows are shorter than a page. Measured by
# benchmarks/h5sieve.py (docs/performance.md, stop 24): against 64 KiB, 4 KiB reads tiles in
# 0.66x and columns in 0.66x the time, narrow tables in 1.4x; no buffer, narrow tables in 48x.
PREVIEW_SIEVE_BYTES = env.int("PORTAL_PREVIEW_SIEVE_BYTES", default=4096)
