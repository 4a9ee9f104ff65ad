"""WSGI entry point, for gunicorn or any other WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# Each server process opens its searcher before its first request, not during it.
from search.index import warm_up  # noqa: E402

try:
    warm_up()
except Exception:  # noqa: BLE001 - a server must start even if the index cannot be read yet
    import logging

    logging.getLogger(__name__).warning("Search warm-up failed; the first search will open the index.", exc_info=True)
