"""The gunicorn master's warm-up (portal/warmup.py): templates compiled once before forking,
without any database connection a worker could inherit."""

import runpy
from pathlib import Path
from types import SimpleNamespace

from django.db import connections
from django.template import engines

from portal.warmup import prepare, template_names

ROOT = Path(__file__).resolve().parents[2]


def _cached(name: str) -> bool:
    loader = engines["django"].engine.template_loaders[0]  # the cached loader (DEBUG off)
    return any(key.startswith(name) for key in loader.get_template_cache)


def test_prepare_compiles_the_pages_templates_without_the_database():
    # No django_db mark: pytest-django fails any query, so a warm-up that touched the
    # database (a connection inherited by every worker) would fail here.
    assert {"landing/landing.html", "catalogue/home.html"} <= set(template_names())
    engines["django"].engine.template_loaders[0].reset()
    assert not _cached("landing/landing.html")
    done = prepare()
    assert done["templates"] >= 50
    assert _cached("landing/landing.html") and _cached("catalogue/home.html")
    assert all(c.connection is None for c in connections.all(initialized_only=True))


def test_gunicorn_runs_it_in_the_master_when_the_app_is_preloaded(monkeypatch):
    import portal.warmup

    calls = []
    monkeypatch.setattr(portal.warmup, "prepare", lambda: calls.append(1) or {"templates": 1})
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["preload_app"] is True
    log = SimpleNamespace(info=lambda *a: None)
    conf["when_ready"](SimpleNamespace(cfg=SimpleNamespace(preload_app=True), log=log))
    conf["when_ready"](SimpleNamespace(cfg=SimpleNamespace(preload_app=False), log=log))
    assert calls == [1]


def test_workers_are_recycled_seldom_and_apart(monkeypatch):
    """Workers forked together serve about as many requests each: the jitter must spread their
    restarts over a range as wide as half the limit, or they restart together."""
    monkeypatch.delenv("PORTAL_GUNICORN_MAX_REQUESTS", raising=False)
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["max_requests"] >= 20000
    assert conf["max_requests_jitter"] >= conf["max_requests"] // 2
    monkeypatch.setenv("PORTAL_GUNICORN_MAX_REQUESTS", "0")
    off = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert (off["max_requests"], off["max_requests_jitter"]) == (0, 0)  # gunicorn: no recycling
