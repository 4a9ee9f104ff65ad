from django.contrib import admin
from django.urls import include, path

from archive.api.urls import urlpatterns as api_urlpatterns
from search.api import SearchView

admin.site.site_header = "Dossier administration"
admin.site.site_title = "Dossier admin"
admin.site.index_title = "Manage the archive"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("search/", include("search.urls")),
    # The read API: archive's endpoints and search's, under one namespace.
    path("api/", include(([path("search/", SearchView.as_view(), name="search"), *api_urlpatterns], "api"))),
    path("", include("archive.account_urls")),
    path("", include("archive.urls")),
]
