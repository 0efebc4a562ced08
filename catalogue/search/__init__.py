"""Catalogue search: an Elasticsearch backend and a database backend behind one interface.

documents.py (mapping), indexing.py (dataset -> document, bulk writes, rebuild), queries.py
(parameters, query language, Elasticsearch request bodies), units.py (pint), backends/
(the two implementations), selectors.py (what views call).
"""
