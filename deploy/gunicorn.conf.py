"""gunicorn configuration of the portal (make prod, systemd, the container image).

Workers and threads come from the environment, so one file serves a laptop and a 64-core
machine: PORTAL_GUNICORN_WORKERS (default 2 x cores + 1), PORTAL_GUNICORN_THREADS (4),
PORTAL_GUNICORN_BIND (127.0.0.1:8000), PORTAL_GUNICORN_TIMEOUT (60 s).
"""

import multiprocessing
import os

bind = os.environ.get("PORTAL_GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("PORTAL_GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("PORTAL_GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# nginx drops idle upstream connections after 4 s (deploy/nginx.conf): keep this above that.
keepalive = 5
# Recycle workers now and then: a slow leak can never grow without bound. Seldom, and never
# all at once: a recycled worker serves nothing for a few seconds under load and then starts
# with empty per-process memos. Workers forked together serve about the same number of
# requests, so with a jitter of 10 % of 5,000 two of five restarted within a second, and the
# 50-user load run's p95 went from ~250 to ~550 ms for 20 s (docs/performance.md, "What
# stop 26 changed"). Each worker now stops after 20,000 to 30,000 requests, at a random point
# of that range; in the 30-minute soak the workers' memory stayed flat for the 20 minutes
# before the first one was replaced (load-soak-stop26).
# PORTAL_GUNICORN_MAX_REQUESTS=0 turns recycling off.
max_requests = int(os.environ.get("PORTAL_GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 2
# nginx in front buffers slow clients; the portal trusts its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("PORTAL_GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("PORTAL_GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# One JSON object per access-log line, with the request id nginx set.
access_log_format = (
    '{"time":"%(t)s","remote":"%({x-real-ip}i)s","method":"%(m)s","path":"%(U)s",'
    '"status":%(s)s,"bytes":"%(B)s","duration_us":%(D)s,"request_id":"%({x-request-id}i)s"}'
)
# Load the application before forking: workers share its memory pages and start faster.
preload_app = True


def on_starting(server):
    # prometheus_client's multiprocess mode: each worker writes its samples below this folder;
    # it must start empty, or a dead worker's counters would be summed forever.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.unlink(os.path.join(folder, name))


def when_ready(server):
    # Runs in the master before the first worker is forked (the application is preloaded):
    # templates compiled, URL patterns and translations loaded once, so a worker recycled
    # after max_requests starts warm (portal/warmup.py).
    if server.cfg.preload_app:
        from portal.warmup import prepare

        done = prepare()
        server.log.info("warm-up: %d templates compiled before forking", done["templates"])


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
