"""Conditional GET for feeds: a reader polling an unchanged feed gets 304 Not Modified, no body.

The newest item's date (what Django's syndication framework puts in Last-Modified) is not
enough: a feed also changes when an older article gains a tag or a mention, or one is
deleted, and none of those makes a newer date. So a feed's Last-Modified is the moment this
site first served its present content, remembered in the cache by a digest of that content,
and the same digest is its ETag. A forgotten entry only costs one full answer, never a
wrong 304.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

REMEMBER_SECONDS = 30 * 24 * 3600


def answer_if_changed(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response`` with ETag and Last-Modified set, or 304 when the request's validators still match."""
    if response.status_code != 200 or response.streaming:
        return response
    digest = hashlib.sha256(response.content).hexdigest()[:32]
    address = f"{request.get_host()}{request.get_full_path()}"
    key = "dossier:changed:" + hashlib.sha256(address.encode()).hexdigest()
    seen = cache.get(key)
    if seen and seen[0] == digest:
        changed = seen[1]
    else:
        # A second later than the content it replaces at least: HTTP dates count whole seconds.
        changed = max(int(time.time()), seen[1] + 1 if seen else 0)
        cache.set(key, (digest, changed), REMEMBER_SECONDS)
    response["ETag"] = f'"{digest}"'
    response["Last-Modified"] = http_date(changed)
    return get_conditional_response(request, etag=response["ETag"], last_modified=changed, response=response)
