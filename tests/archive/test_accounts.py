"""Roles, sign-in pages, rate-limited sign-in, feed keys."""

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import include, path

from archive.accounts import (
    ADMINISTRATORS,
    EDITORS,
    READERS,
    accepts_feed_key,
    assign_role,
    feed_key_for,
    feed_url,
    rotate_feed_key,
    setup_roles,
    user_for_feed_key,
)
from tests.factories import make_article

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("maria", email="maria@example.org", password=PASSWORD)


def test_setup_roles_makes_three_groups_and_can_run_again():
    first = setup_roles()
    assert setup_roles() == first
    assert set(Group.objects.values_list("name", flat=True)) >= {READERS, EDITORS, ADMINISTRATORS}
    readers = set(Group.objects.get(name=READERS).permissions.values_list("codename", flat=True))
    assert "view_article" in readers and "change_article" not in readers
    editors = set(Group.objects.get(name=EDITORS).permissions.values_list("codename", flat=True))
    assert {"change_article", "delete_entity", "add_alias", "change_entitysuggestion"} <= editors
    assert not {"change_user", "change_group", "change_source"} & editors
    admins = set(Group.objects.get(name=ADMINISTRATORS).permissions.values_list("codename", flat=True))
    assert {"change_user", "change_group", "change_source", "delete_article"} <= admins


@pytest.mark.parametrize(
    ("role", "staff", "can", "cannot"),
    [
        ("reader", False, ["archive.view_article", "archive.view_entity"], ["archive.change_article"]),
        ("editor", True, ["archive.change_article", "archive.change_entity", "archive.delete_entitysuggestion"],
         ["auth.change_user", "archive.delete_source"]),
        ("administrator", True, ["auth.change_user", "auth.change_group", "archive.delete_source"], []),
    ],
)
def test_each_role_has_what_it_needs_and_no_more(user, django_user_model, role, staff, can, cannot):
    assign_role(user=user, role=role)
    user = django_user_model.objects.get(pk=user.pk)  # fresh permission cache
    assert user.is_staff is staff
    assert all(user.has_perm(perm) for perm in can)
    assert not any(user.has_perm(perm) for perm in cannot)


def test_a_new_role_replaces_the_old_one(user):
    assign_role(user=user, role="editor")
    assign_role(user=user, role="reader")
    assert list(user.groups.values_list("name", flat=True)) == [READERS]
    assert not user.is_staff


def test_editors_manage_articles_in_the_admin_but_not_users(client, user):
    assign_role(user=user, role="editor")
    client.force_login(user)
    article = make_article("An article to edit")
    assert client.get("/admin/archive/article/").status_code == 200
    assert client.get(f"/admin/archive/article/{article.pk}/change/").status_code == 200
    assert client.get("/admin/archive/entitysuggestion/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_readers_do_not_get_into_the_admin(client, user):
    assign_role(user=user, role="reader")
    client.force_login(user)
    response = client.get("/admin/archive/article/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_setup_roles_command_gives_a_user_a_role(user):
    from django.core.management import call_command

    call_command("setup_roles", user="maria", role="editor")
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name=EDITORS).exists()


# Sign-in ------------------------------------------------------------------------------


def test_sign_in_page_uses_the_site_template_and_returns_to_next(client, user):
    page = client.get("/accounts/login/?next=/tags/").content.decode()
    assert 'class="site-header"' in page and 'name="password"' in page
    response = client.post("/accounts/login/", {"username": "maria", "password": PASSWORD, "next": "/tags/"})
    assert response.status_code == 302 and response["Location"] == "/tags/"
    assert "Sign out" in client.get("/tags/").content.decode()


def test_wrong_password_shows_a_message_on_the_site_page(client, user):
    response = client.post("/accounts/login/", {"username": "maria", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_is_a_post(client, user):
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 302
    assert "Sign in" in client.get("/").content.decode()


def _admin_login(client, password):
    return client.post("/admin/login/?next=/admin/", {"username": "boss", "password": password})


def test_sixty_wrong_admin_passwords_then_the_right_one_is_refused(client, django_user_model):
    django_user_model.objects.create_superuser("boss", password=PASSWORD)
    statuses = [_admin_login(client, f"guess-{n}").status_code for n in range(60)]
    assert statuses[:4] == [200] * 4  # the form again, with an error
    assert set(statuses[5:]) == {429}  # locked out from the fifth failure on
    response = _admin_login(client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_site_login_is_rate_limited_too(client, user):
    for n in range(5):
        client.post("/accounts/login/", {"username": "maria", "password": f"guess-{n}"})
    response = client.post("/accounts/login/", {"username": "maria", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_few_mistakes_then_the_right_password_still_works(client, user):
    for n in range(3):
        client.post("/accounts/login/", {"username": "maria", "password": f"guess-{n}"})
    response = client.post("/accounts/login/", {"username": "maria", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# Feed keys ----------------------------------------------------------------------------


def test_feed_key_is_stable_until_replaced(user):
    key = feed_key_for(user)
    assert feed_key_for(user) == key and user_for_feed_key(key) == user
    new = rotate_feed_key(user=user)
    assert new != key and user_for_feed_key(key) is None and user_for_feed_key(new) == user
    assert user_for_feed_key("") is None and user_for_feed_key("x" * 500) is None


def test_feed_url_carries_the_key_only_in_a_private_archive(rf, settings, user):
    request = rf.get("/")
    request.user = user
    assert feed_url(request, "/feeds/search/?q=wind") == "/feeds/search/?q=wind"
    settings.DOSSIER_PUBLIC = False
    assert feed_url(request, "/feeds/search/?q=wind") == f"/feeds/search/?q=wind&key={feed_key_for(user)}"


@accepts_feed_key
def _feed(request):
    from django.http import HttpResponse

    return HttpResponse(f"feed for {request.user.get_username() or 'anyone'}", content_type="application/atom+xml")


def _page(request):
    from django.http import HttpResponse

    return HttpResponse("page")


urlpatterns = [path("feed/", _feed), path("page/", _page), path("", include("config.urls"))]


@override_settings(ROOT_URLCONF=__name__, DOSSIER_PUBLIC=False)
def test_private_feeds_take_a_readers_key_instead_of_a_session(client, user, django_user_model):
    assert client.get("/feed/").status_code == 302  # no key, no session: sign in
    assert client.get("/feed/", {"key": feed_key_for(user)}).status_code == 404  # no reader role yet
    assign_role(user=user, role="reader")
    response = client.get("/feed/", {"key": feed_key_for(user)})
    assert response.status_code == 200 and response.content == b"feed for maria"
    assert client.get("/feed/", {"key": "forged"}).status_code == 404
    # Other views do not take a feed key.
    assert client.get("/page/", {"key": feed_key_for(user)}).status_code == 302
