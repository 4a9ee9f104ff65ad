"""Cursor pagination: stable pages however deep, at the cost of an index lookup, never an OFFSET scan."""

from rest_framework.pagination import CursorPagination


class ArchiveCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class NewestFirstCursorPagination(ArchiveCursorPagination):
    """Articles newest first, undated ones last (as the pages list them).

    The cursor needs a position that is never NULL, so it runs on ``date_key``: the
    publication date, or the earliest date for an undated story (ArticleViewSet adds it).
    """

    ordering = ("-date_key", "-id")


class ByNameCursorPagination(ArchiveCursorPagination):
    ordering = ("name", "id")
