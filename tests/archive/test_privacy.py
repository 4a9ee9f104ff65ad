"""Every URL pattern of the project, walked as an anonymous visitor, a signed-in user without a
role, and a reader, in a private and a public archive: each gets only what its role allows.

Patterns are read from the URLconf itself, so a view added later is walked too. Anything
not named below is an archive page (or export, or feed): readers only in a private archive.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archive.accounts import assign_role
from archive.models import SavedSearch
from archive.saved import unsubscribe_token
from tests.factories import make_article, make_entity, make_source, make_tag

pytestmark = pytest.mark.django_db

# Open to everyone, even in a private archive.
PUBLIC = {"login", "logout", "saved_unsubscribe", "admin:login", "admin:logout"}
# A signed-in user's account: sign-in needed even in a public archive, no role needed.
ACCOUNT = {"account", "account_feed_key", "account_api_token", "password_change", "password_change_done"}
# Saved searches: sign-in needed even in a public archive; in a private one, readers only.
SAVED = {"saved_list", "saved_create", "saved_open", "saved_digest", "saved_delete"}


def walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """(pattern text, full name, argument names) of every pattern, however deeply included."""
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from walk(pattern, text, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else None
            yield text, name, list(pattern.pattern.regex.groupindex)


@pytest.fixture
def world(django_user_model, reindex):
    article = make_article("A private story", source=make_source("Caspian Wire"), tags=[make_tag("wind power")],
                           mentions=[make_entity("Astana", kind="place")])
    reader = django_user_model.objects.create_user("reader", email="r@example.org", password="x")
    assign_role(user=reader, role="reader")
    nobody = django_user_model.objects.create_user("nobody", password="x")
    saved = {user: SavedSearch.objects.create(user=user, name="wind", params="q=wind") for user in (reader, nobody)}
    reindex()
    return {"article": article, "reader": reader, "nobody": nobody, "saved": saved}


def sample_arguments(name: str | None, arguments: list[str], world, user) -> dict:
    article = world["article"]
    slugs = {
        "article": article.slug, "entity": article.entities.get().slug, "source": article.source.slug,
        "tag": article.tags.get().slug,
    }
    own_saved = world["saved"].get(user) or world["saved"][world["reader"]]
    values = {
        "kind": "place", "year": 2024, "month": 3, "pk": own_saved.pk, "token": unsubscribe_token(own_saved),
        "object_id": str(article.pk), "content_type_id": ContentType.objects.get_for_model(article).pk,
        "app_label": "archive", "id": str(article.pk), "url": "no-such-page/", "format": "json",
    }
    found = {}
    for argument in arguments:
        if argument == "slug":
            kind = next((k for k in slugs if name and k in name.split(":")[-1]), "article")
            found[argument] = slugs[kind]
        else:
            found[argument] = values.get(argument, "x")
    return found


def url_for(text: str, name: str | None, kwargs: dict) -> str | None:
    if name:
        return reverse(name, kwargs=kwargs)
    if text.startswith("admin/"):
        return "/admin/no-such-page/"  # the admin's catch-all
    return None


def everything(world, user):
    seen = []
    for text, name, arguments in walk(get_resolver()):
        url = url_for(text, name, sample_arguments(name, arguments, world, user))
        if url:
            seen.append((name or text, url))
    assert len(seen) > 60  # the whole project, admin included
    return seen


def category(name: str) -> str:
    if name in PUBLIC:
        return "public"
    if name in ACCOUNT:
        return "account"
    if name in SAVED:
        return "saved"
    if name.startswith("admin"):
        return "admin"
    if name.startswith("api:"):
        return "api"
    return "reader"


def signs_in(response, login="/accounts/login/") -> bool:
    return response.status_code == 302 and response["Location"].startswith(login)


def denied(response) -> bool:
    return response.status_code in (401, 403) or signs_in(response) or signs_in(response, "/admin/login/")


def get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def test_private_archive_every_url_as_anonymous_nobody_and_reader(client, settings, world):
    settings.DOSSIER_PUBLIC = False
    problems = []
    for who in (None, world["nobody"], world["reader"]):
        for name, url in everything(world, who):
            response = get(client, who, url)
            kind = category(name)
            if kind == "public":
                ok = not denied(response) and response.status_code < 500
            elif kind == "admin":
                ok = response.status_code in (302, 404) and not response.status_code == 200
                ok = ok and (response.status_code == 404 or signs_in(response, "/admin/login/"))
            elif who is None and kind in ("account", "saved"):
                ok = signs_in(response)
            elif kind == "account" or who is world["reader"]:
                ok = response.status_code in (200, 301, 302, 404, 405) and not denied(response)
            elif kind == "api":
                ok = response.status_code == (401 if who is None else 403)
            else:
                ok = signs_in(response) if who is None else response.status_code == 403
            if not ok:
                problems.append(f"{'anonymous' if who is None else who.username} {kind} {name} {url} "
                                f"-> {response.status_code} {response.get('Location', '')}")
    assert not problems, "\n".join(problems)


def test_public_archive_everyone_reads_but_own_pages_and_admin_still_need_sign_in(client, settings, world):
    settings.DOSSIER_PUBLIC = True
    problems = []
    for name, url in everything(world, None):
        response = get(client, None, url)
        kind = category(name)
        if kind in ("reader", "api", "public"):
            ok = not denied(response) and response.status_code < 500
        elif kind in ("account", "saved"):
            ok = signs_in(response)
        else:
            ok = response.status_code == 404 or signs_in(response, "/admin/login/")
        if not ok:
            problems.append(f"{kind} {name} {url} -> {response.status_code}")
    assert not problems, "\n".join(problems)


def test_saved_searches_of_others_are_out_of_reach(client, world):
    client.force_login(world["reader"])
    theirs = world["saved"][world["nobody"]]
    assert client.get(f"/saved/{theirs.pk}/").status_code == 404
    assert client.post(f"/saved/{theirs.pk}/delete/").status_code == 404
    assert SavedSearch.objects.filter(pk=theirs.pk).exists()


def test_private_pages_send_anonymous_visitors_to_sign_in_and_back(client, settings, world):
    settings.DOSSIER_PUBLIC = False
    response = client.get("/articles/?year=2024")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/articles/%3Fyear%3D2024"
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/static/css/dossier.css").status_code == 200
