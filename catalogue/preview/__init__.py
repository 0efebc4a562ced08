"""HDF5/NeXus preview: h5grove's HTTP API per dataset, with the portal's safety policy.

The endpoints (``/datasets/<pid>/h5grove/meta|attr|data|stats|paths``) speak h5grove 4's
protocol so H5Web's ``H5GroveProvider`` reads them as it would read an h5grove server. What
h5grove does not do, and this package does in our own code, is decide *what* may be read:

* ``files``: which file of a dataset may be opened (a registered DataFile, inside the dataset
  folder by :func:`catalogue.storage.dataset_file_path`, with the HDF5 signature), and which
  file an external link, a virtual dataset source or an external raw-data file may reach;
* ``links``: path resolution inside HDF5 files one link at a time, so the HDF5 library is never
  asked to follow a link (or read a source) that the policy has not allowed;
* ``api``: the five operations, built from h5grove's own content classes and encoders, with a
  byte limit on what one request may read.
"""
