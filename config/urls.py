from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Dossier administration"
admin.site.site_title = "Dossier admin"
admin.site.index_title = "Manage the archive"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("search/", include("search.urls")),
    path("", include("archive.urls")),
]
