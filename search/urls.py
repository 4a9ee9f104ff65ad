from django.urls import path

from search import views
from search.exports import search_export
from search.feeds import SearchFeed

app_name = "search"

urlpatterns = [
    path("", views.search, name="search"),
    path("help/", views.search_help, name="help"),
    path("export.<str:fmt>", search_export, name="export"),
    path("feed.atom", SearchFeed(), name="feed"),
]
