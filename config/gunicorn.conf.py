"""Gunicorn settings for `make run` (the production server), all from the environment.

HOST and PORT choose the address; WEB_CONCURRENCY the worker processes (default: one per
core, at least 2); WEB_THREADS the threads per worker (searches run in parallel threads,
so a worker keeps answering while one request waits on the database).
"""

import os

import gunicorn.http.wsgi

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1))
threads = int(os.environ.get("WEB_THREADS") or 4)
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT") or 60)
graceful_timeout = 10
keepalive = 5
# A worker is replaced after this many requests (with jitter), so a slow leak never grows a
# server for days.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS") or 5000)
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "dossier"
# No control socket: its default path is one per user ($HOME/.gunicorn/gunicorn.ctl), which
# two servers on one host (or a benchmark beside `make run`) would fight over.
control_socket_disable = True

# Responses name no server software (nor its version). Gunicorn writes its "Server" header
# from this module constant and has no setting for it; the constant exists in every release
# this project was checked with, and tests/test_server.py checks the header a served
# response carries, so an upgrade that moves it is noticed.
if isinstance(getattr(gunicorn.http.wsgi, "SERVER", None), str):
    gunicorn.http.wsgi.SERVER = "Dossier"
