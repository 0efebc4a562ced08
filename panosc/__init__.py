"""The PaNOSC federated search API (``/panosc/api/``), as the PaNOSC/ExPaNDS portal asks it.

filter.py parses LoopBack filters, translate.py turns dataset filters into the catalogue's
query model, selectors.py reads, mapping.py is the data model, views.py the endpoints.
"""
