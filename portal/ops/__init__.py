"""Operations: health and readiness checks, Prometheus metrics, request ids and JSON logs.

Everything an operator (or an orchestrator) reads off a running portal; nothing here changes
the catalogue.
"""
