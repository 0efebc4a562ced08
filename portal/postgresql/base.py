"""Django's PostgreSQL backend with a health check that sends nothing to the server.

``CONN_HEALTH_CHECKS`` makes Django check a persistent connection before its first use in
each request, with a ``SELECT 1``: a second round trip on requests that need one query (the
HDF5 preview answers H5Web's many small requests with one). Here the check asks the socket
instead. When PostgreSQL restarts or terminates a backend, the server sends its FATAL message
and closes the connection, so an idle connection whose socket is readable (data or EOF), or
in error, is dead or at least not idle: it is closed and the request connects afresh (and
answers 503 if the database is still down, portal/errors.py). A connection lost without the
server telling (a cable pulled) fails on its query instead, which answers 503 as well, and
Django then drops it at the end of the request (``close_if_unusable_or_obsolete``).
"""

import select

from django.db.backends.postgresql import base

# Readable (a message or EOF), error, hang-up: anything but a quiet idle connection.
_NOT_IDLE = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


def connection_is_idle_and_open(connection) -> bool:
    """True when a psycopg connection is open and nothing waits on its socket."""
    if connection.closed or connection.broken:
        return False
    try:
        poller = select.poll()
        poller.register(connection.fileno(), _NOT_IDLE)
        return not poller.poll(0)
    except (OSError, ValueError, base.Database.Error):
        return False


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        if not connection_is_idle_and_open(self.connection):
            self.close()
        self.health_check_done = True
