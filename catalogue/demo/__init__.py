"""The demo catalogue built by ``manage.py load_demo``."""
