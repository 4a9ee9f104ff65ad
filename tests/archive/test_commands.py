"""Management commands as an operator runs them: the sample archive, the first admin, tagging."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from archive.models import Alias, Article, Entity, EntityKind, Mention, MentionOrigin, Source
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
PASSWORD_LINE = re.compile(r"password: (\S+)")


def run(command: str, *args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def archive_counts() -> dict[str, int]:
    return {
        "articles": Article.objects.count(),
        "sources": Source.objects.count(),
        "entities": Entity.objects.count(),
        "aliases": Alias.objects.count(),
        "mentions": Mention.objects.count(),
    }


# load_sample


@pytest.fixture
def sample_loaded():
    out, err = run("load_sample")
    return out, err


def test_load_sample_fills_an_empty_archive_without_failures(sample_loaded):
    out, err = sample_loaded
    assert Article.objects.count() >= 45
    assert Source.objects.count() >= 5
    assert Entity.objects.count() >= 60
    assert err == ""
    assert " 0 failed" in out


def test_load_sample_gives_every_article_a_source_and_text(sample_loaded):
    assert not Article.objects.filter(source=None).exists()
    assert not Article.objects.filter(body="").exists()
    assert not Article.objects.filter(title="").exists()


def test_load_sample_covers_every_kind_of_entity(sample_loaded):
    kinds = set(Entity.objects.values_list("kind", flat=True))
    assert kinds == set(EntityKind.values)


def test_load_sample_includes_aliases_in_cyrillic(sample_loaded):
    aliases = list(Alias.objects.values_list("name", flat=True))
    cyrillic = [name for name in aliases if CYRILLIC.search(name)]
    assert len(cyrillic) >= 5, cyrillic


def test_load_sample_tags_articles_with_the_entities_they_mention(sample_loaded):
    untagged = Article.objects.filter(mentions=None).values_list("title", flat=True)
    assert list(untagged) == []
    assert Entity.objects.most_mentioned().exists()


def test_load_sample_run_again_adds_nothing(sample_loaded):
    before = archive_counts()
    out, err = run("load_sample")
    assert archive_counts() == before
    assert "not loaded again" in out
    assert err == ""


def test_load_sample_forced_over_itself_adds_nothing(sample_loaded):
    before = archive_counts()
    out, err = run("load_sample", force=True)
    assert archive_counts() == before
    assert " 0 created" in out
    assert err == ""


# create_admin


def printed_password(out: str) -> str | None:
    match = PASSWORD_LINE.search(out)
    return match.group(1) if match else None


def test_create_admin_creates_one_superuser_whose_printed_password_works():
    out, _ = run("create_admin")

    password = printed_password(out)
    assert password and len(password) >= 12
    User = get_user_model()
    assert User.objects.count() == 1
    user = authenticate(username="admin", password=password)
    assert user is not None
    assert user.is_superuser and user.is_staff and user.is_active
    assert authenticate(username="admin", password=password + "x") is None


def test_create_admin_with_a_chosen_username():
    out, _ = run("create_admin", username="chief")
    assert authenticate(username="chief", password=printed_password(out)).is_superuser


def test_create_admin_points_at_the_address_the_app_is_served_on():
    assert "http://127.0.0.1:8000/admin/" in run("create_admin")[0]
    get_user_model().objects.all().delete()
    assert "Sign in at http://127.0.0.1:8001/admin/" in run("create_admin", site="http://127.0.0.1:8001")[0]


def test_create_admin_run_again_creates_nothing_and_prints_no_password():
    first, _ = run("create_admin")
    password = printed_password(first)

    second, _ = run("create_admin")

    assert get_user_model().objects.count() == 1
    assert printed_password(second) is None
    assert password not in second
    assert authenticate(username="admin", password=password) is not None  # the first password still works


def test_create_admin_gives_each_fresh_database_its_own_password():
    first, _ = run("create_admin")
    get_user_model().objects.all().delete()  # as good as a fresh database
    second, _ = run("create_admin")
    assert printed_password(first) != printed_password(second)


# tag_entities


def test_tag_entities_tags_every_article_with_the_entities_it_names():
    goldwind = make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    astana = make_entity("Astana", kind=EntityKind.PLACE, aliases=["Нур-Султан", "Астана"])
    first = make_article(body="Goldwind opened an office in Астана. Goldwind is hiring.")
    second = make_article(body="Officials in Нур-Султан approved the plan.")
    third = make_article(body="Nothing known is named here.")

    out, _ = run("tag_entities", verbosity=0)

    def mentions(article):
        return {(m.entity_id, m.count, m.origin) for m in Mention.objects.filter(article=article)}

    auto = MentionOrigin.AUTOMATIC
    assert mentions(first) == {(goldwind.pk, 2, auto), (astana.pk, 1, auto)}
    assert mentions(second) == {(astana.pk, 1, auto)}
    assert mentions(third) == set()
    assert "Tagged 3 articles" in out


def test_tag_entities_limited_to_given_ids_leaves_other_articles_alone():
    make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    chosen = make_article(body="Goldwind builds turbines.")
    other = make_article(body="Goldwind builds towers.")

    out, _ = run("tag_entities", str(chosen.pk), verbosity=0)

    assert Mention.objects.filter(article=chosen).count() == 1
    assert Mention.objects.filter(article=other).count() == 0
    assert "Tagged 1 article with" in out


def test_tag_entities_in_small_batches_still_reaches_every_article():
    make_entity("Goldwind", kind=EntityKind.ORGANISATION)
    articles = [make_article(body=f"Goldwind report number {i}.") for i in range(7)]

    run("tag_entities", batch_size=2, verbosity=0)

    assert Mention.objects.filter(article__in=articles).count() == 7
