"""/api/: the endpoints over the models, the OpenAPI schema and its docs (search: search/api.py)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from archive.api import views

router = DefaultRouter()
router.include_format_suffixes = False
router.register("articles", views.ArticleViewSet, basename="article")
router.register("entities", views.EntityViewSet, basename="entity")
router.register("sources", views.SourceViewSet, basename="source")
router.register("tags", views.TagViewSet, basename="tag")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, and the template has no
    # inline style: the Content-Security-Policy allows neither.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    *router.urls,
]
