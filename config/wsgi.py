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

# Each server process follows the database's change queue into its index, so edits made
# through other servers (or while this one was down) are found here within seconds.
from search.follower import start as follow_changes  # noqa: E402

follow_changes()
