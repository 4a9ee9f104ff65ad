"""Who may see and change what: roles, private archives, per-user feed keys.

Roles are Django groups with model permissions, created by ``setup_roles``:

- readers view the archive (in a private archive, only they do);
- editors also manage articles, entities, aliases, mentions and suggestions in the admin;
- administrators have every permission.

With ``DOSSIER_PUBLIC=false`` the ``PrivateArchiveMiddleware`` makes every view ask for a
signed-in reader, except the few marked ``@public`` (sign-in, unsubscribe). The admin
keeps its own staff check and the API its own permission class (it accepts tokens), both
with the same rule. Feed readers cannot sign in, so views marked ``@accepts_feed_key``
also accept ``?key=`` with a user's secret feed key (``feed_key_for`` / ``feed_url``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlencode

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound

from archive.models import FeedKey

READERS, EDITORS, ADMINISTRATORS = "Readers", "Editors", "Administrators"
ROLES = {"reader": READERS, "editor": EDITORS, "administrator": ADMINISTRATORS}
READ_PERMISSION = "archive.view_article"
FEED_KEY_PARAM = "key"

_ARCHIVE_MODELS = ("article", "entity", "alias", "mention", "source", "tag", "entitysuggestion")
_EDITOR_MANAGES = ("article", "entity", "alias", "mention", "entitysuggestion")


def _role_permissions() -> dict[str, list[Permission]]:
    archive = Permission.objects.filter(content_type__app_label="archive")
    view = [p for p in archive if p.codename in {f"view_{model}" for model in _ARCHIVE_MODELS}]
    manage = [
        p for p in archive
        if p.codename in {f"{action}_{model}" for action in ("add", "change", "delete") for model in _EDITOR_MANAGES}
    ]
    return {READERS: view, EDITORS: view + manage, ADMINISTRATORS: list(Permission.objects.all())}


@transaction.atomic
def setup_roles() -> dict[str, int]:
    """Create or update the three role groups; returns the number of permissions of each."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    # Permissions are created after migrations; make sure they exist when this runs first.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    counts = {}
    for name, permissions in _role_permissions().items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts


@transaction.atomic
def assign_role(*, user: AbstractBaseUser, role: str) -> None:
    """Give a user one role (and only that one); editors and administrators reach the admin."""
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    setup_roles()
    user.groups.remove(*Group.objects.filter(name__in=ROLES.values()))
    user.groups.add(Group.objects.get(name=ROLES[role]))
    user.is_staff = role != "reader"
    user.save(update_fields=["is_staff"])


def can_read(user: AbstractBaseUser | AnonymousUser) -> bool:
    """May this user read the archive? Everyone may in a public archive; readers in a private one."""
    if settings.DOSSIER_PUBLIC:
        return True
    return bool(user.is_authenticated and user.is_active and user.has_perm(READ_PERMISSION))


# Feed keys ---------------------------------------------------------------------------


def feed_key_for(user: AbstractBaseUser) -> str:
    """The user's secret feed key, made on first use."""
    key, _ = FeedKey.objects.get_or_create(user=user, defaults={"key": secrets.token_urlsafe(24)})
    return key.key


def rotate_feed_key(*, user: AbstractBaseUser) -> str:
    """A new feed key; feed URLs with the old one stop working."""
    new = secrets.token_urlsafe(24)
    FeedKey.objects.update_or_create(user=user, defaults={"key": new})
    return new


def user_for_feed_key(key: str) -> AbstractBaseUser | None:
    if not key or len(key) > 64:
        return None
    found = FeedKey.objects.select_related("user").filter(key=key).first()
    return found.user if found and found.user.is_active else None


def feed_url(request: HttpRequest, url: str) -> str:
    """A feed's address for this user: with their feed key in a private archive, as is otherwise."""
    if settings.DOSSIER_PUBLIC or not request.user.is_authenticated:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({FEED_KEY_PARAM: feed_key_for(request.user)})}"


# Marking views -------------------------------------------------------------------------


def public(view: Callable) -> Callable:
    """This view is open to everyone even in a private archive (sign-in, unsubscribe)."""
    view.dossier_public = True
    return view


def any_signed_in_user(view: Callable) -> Callable:
    """In a private archive this view needs sign-in but no role (the account page, password change)."""
    view.dossier_any_signed_in_user = True
    return view


def accepts_feed_key(view: Callable) -> Callable:
    """In a private archive this view also accepts ``?key=<feed key>`` instead of a session."""
    view.dossier_feed_key = True
    return view


def _is_api_view(view: Callable) -> bool:
    from rest_framework.views import APIView

    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class PrivateArchiveMiddleware:
    """In a private archive (DOSSIER_PUBLIC=false) every view needs a signed-in reader.

    It decides per view, after URL resolution, so a view added later is private by
    default; only views marked ``@public`` are open. The admin has its own staff check,
    and API views their permission class (which also accepts tokens).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args, kwargs) -> HttpResponse | None:
        if settings.DOSSIER_PUBLIC or getattr(view, "dossier_public", False):
            return None
        match = request.resolver_match
        if (match and "admin" in match.namespaces) or _is_api_view(view):
            return None
        if getattr(view, "dossier_feed_key", False) and FEED_KEY_PARAM in request.GET:
            user = user_for_feed_key(request.GET[FEED_KEY_PARAM])
            if user is None or not user.has_perm(READ_PERMISSION):
                return HttpResponseNotFound("Unknown feed key.", content_type="text/plain")
            request.user = user
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_read(request.user) and not getattr(view, "dossier_any_signed_in_user", False):
            return HttpResponseForbidden("Your account may not read this archive yet; ask an administrator.",
                                         content_type="text/plain")
        return None


class SignInRateLimitBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request (every web sign-in does).

    Axes refuses ``authenticate()`` calls without a request; management commands and
    scripts make such calls and have no client address to limit, so they go straight on
    to the model backend.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
