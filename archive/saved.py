"""Saved searches: keep a search under a name, count what is new, send daily digests.

Running a saved search is the search backend's job (``settings.SEARCH_BACKEND``; archive
never imports Whoosh): ``search.saved.new_matches`` runs the same search service as the
search page, restricted to articles added since a moment.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from archive.filters import FILTER_NAMES
from archive.models import Article, SavedSearch
from archive.search_backend import get_search_backend

logger = logging.getLogger(__name__)

MAX_SAVED_PER_USER = 100
DIGEST_ARTICLES = 10
DIGEST_INTERVAL = dt.timedelta(hours=23)  # daily, with slack for a scheduler that runs a little early
_KEPT_PARAMS = ("q", "sort", *FILTER_NAMES)
_UNSUBSCRIBE_SALT = "dossier.saved.unsubscribe"


class SavedSearchError(ValueError):
    """A saved search that cannot be made; the message is for the user."""


@dataclass
class NewMatches:
    """Articles a saved search matches among those added since a moment."""

    count: int = 0
    at_least: bool = False  # more articles were added than were checked: ``count`` is a lower bound
    articles: list[Article] = field(default_factory=list)
    error: str = ""  # the search could not run (bad query, index unavailable)


def new_matches(saved: SavedSearch, *, since: dt.datetime | None = None, limit: int = 0) -> NewMatches:
    """What the saved search matches among the articles added since ``since`` (default: since last opened)."""
    return get_search_backend().new_matches(QueryDict(saved.params), since or saved.last_opened, limit)


def clean_params(params: QueryDict) -> str:
    """The search page's parameters worth keeping (query, sort, filters), as a query string."""
    pairs = [
        (key, value[:1000])
        for key in _KEPT_PARAMS
        for value in params.getlist(key)[:20]
        if value.strip()
    ]
    return urlencode(pairs)


def save_search(*, user, name: str, params: QueryDict) -> SavedSearch:
    """Keep the search under a name; saving again under the same name replaces its query."""
    name = " ".join(name.split())[:100]
    if not name:
        raise SavedSearchError("Give the search a name.")
    query = clean_params(params)
    if not query:
        raise SavedSearchError("There is nothing to save: type a query or choose a filter first.")
    if len(query) > SavedSearch.MAX_PARAMS:
        raise SavedSearchError("That search is too long to save.")
    existing = SavedSearch.objects.of(user).filter(name__iexact=name).first()
    if existing:
        existing.params = query
        existing.last_opened = timezone.now()
        existing.save(update_fields=["params", "last_opened"])
        return existing
    if SavedSearch.objects.of(user).count() >= MAX_SAVED_PER_USER:
        raise SavedSearchError(f"You can keep at most {MAX_SAVED_PER_USER} saved searches; delete one first.")
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(user=user, name=name, params=query)
    except IntegrityError:  # the same name saved twice at once
        raise SavedSearchError("You already have a saved search with that name.") from None


def open_saved_search(saved: SavedSearch, *, now: dt.datetime | None = None) -> str:
    """The user looks at the search: nothing is new after this. Returns the search page's URL."""
    saved.last_opened = now or timezone.now()
    saved.save(update_fields=["last_opened"])
    return saved.search_url


def unsubscribe_token(saved: SavedSearch | None = None, *, user=None) -> str:
    """A signed token that stops one saved search's digest, or (``user=``) all of a user's."""
    payload = {"s": saved.pk} if saved is not None else {"u": user.pk}
    return signing.dumps(payload, salt=_UNSUBSCRIBE_SALT, compress=True)


def digests_for_token(token: str):
    """The saved searches with a digest that an unsubscribe token names (None: a bad token)."""
    try:
        payload = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("s"), int):
        return SavedSearch.objects.filter(pk=payload["s"])
    if isinstance(payload.get("u"), int):
        return SavedSearch.objects.filter(user_id=payload["u"])
    return None


def unsubscribe(searches) -> int:
    """Stop the digests of these saved searches; returns how many had one."""
    return searches.filter(digest=True).update(digest=False)


@dataclass
class _DigestPart:
    saved: SavedSearch
    matches: NewMatches
    open_url: str
    unsubscribe_url: str


def send_digests(*, now: dt.datetime | None = None) -> int:
    """E-mail each user the new articles of their saved searches with a daily digest.

    A saved search is covered once a day: it reports what was added since its last
    digest (or since it was saved). Users get one message for all their searches, and
    none when nothing is new. Returns the number of messages sent.
    """
    now = now or timezone.now()
    due = (
        SavedSearch.objects.with_digest()
        .exclude(last_digest__gt=now - DIGEST_INTERVAL)
        .select_related("user")
        .order_by("user_id", "name")
    )
    by_user: dict[int, list[SavedSearch]] = {}
    for saved in due:
        by_user.setdefault(saved.user_id, []).append(saved)
    sent = 0
    for searches in by_user.values():
        parts = []
        for saved in searches:
            matches = new_matches(saved, since=saved.last_digest or saved.created, limit=DIGEST_ARTICLES)
            if matches.error:
                logger.warning("digest: saved search %s could not run: %s", saved.pk, matches.error)
                continue
            if matches.count:
                parts.append(_DigestPart(
                    saved=saved,
                    matches=matches,
                    open_url=settings.DOSSIER_SITE_URL + saved.get_absolute_url(),
                    unsubscribe_url=settings.DOSSIER_SITE_URL
                    + reverse("saved_unsubscribe", args=[unsubscribe_token(saved)]),
                ))
        if parts:
            if not _send_digest(searches[0].user, parts):
                continue  # not covered: the next run tries again with the same articles
            sent += 1
        # Covered even when nothing was new, so the next digest starts from here.
        SavedSearch.objects.filter(pk__in=[s.pk for s in searches]).update(last_digest=now)
    return sent


def _send_digest(user, parts: list[_DigestPart]) -> bool:
    context = {"user": user, "parts": parts, "site_url": settings.DOSSIER_SITE_URL}
    total = sum(part.matches.count for part in parts)
    unsubscribe_all = settings.DOSSIER_SITE_URL + reverse(
        "saved_unsubscribe", args=[unsubscribe_token(user=user)]
    )
    context["unsubscribe_all_url"] = unsubscribe_all
    subject = f"Dossier: {total} new article{'s' if total != 1 else ''} for your saved searches"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("archive/email/digest.txt", context),
        to=[user.email],
        # Mail programs show their own unsubscribe button for this (RFC 2369, RFC 8058).
        headers={
            "List-Unsubscribe": f"<{unsubscribe_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("archive/email/digest.html", context), "text/html")
    try:
        message.send()
    except Exception:  # noqa: BLE001 - one unreachable mailbox must not stop the other digests
        logger.exception("digest: could not send to user %s", user.pk)
        return False
    return True
