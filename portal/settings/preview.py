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
# is read through a buffer of this size. HDF5's default, 64 KiB, copies 64 KiB per row of a
# 2D tile (a 512 x 512 float32 window of an 11264-wide image: 32 MiB read for 1 MiB wanted,
# 1.6 ms against 0.6 ms with 4 KiB); 0 (no buffer) is slower still on narrow datasets, whose
# rows are shorter than a page (a 100000 x 4 window of 8 columns: 57 ms against 1 ms).
PREVIEW_SIEVE_BYTES = env.int("PORTAL_PREVIEW_SIEVE_BYTES", default=4096)
