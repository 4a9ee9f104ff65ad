from django.urls import path

from archive import views
from archive.exports import article_export
from archive.feeds import EntityFeed, ListFeed, SourceFeed, TagFeed

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/export.<str:fmt>", article_export, name="article_export"),
    path("articles/feed.atom", ListFeed(), name="article_feed"),
    path("entities/<slug:slug>/feed/", EntityFeed(), name="entity_feed"),
    path("sources/<slug:slug>/feed/", SourceFeed(), name="source_feed"),
    path("tags/<slug:slug>/feed/", TagFeed(), name="tag_feed"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("entities/", views.entity_index, name="entity_index"),
    path("entities/kind/<str:kind>/", views.entity_kind, name="entity_kind"),
    path("entities/<slug:slug>/", views.entity_detail, name="entity_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
    path("archive/", views.date_archive, name="date_archive"),
    path("archive/<int:year>/", views.year_archive, name="year_archive"),
    path("archive/<int:year>/<int:month>/", views.month_archive, name="month_archive"),
]
