"""Cursor pagination: stable pages however deep, at the cost of an index lookup, never an OFFSET scan."""

from rest_framework.pagination import CursorPagination


class ArchiveCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class NewestFirstCursorPagination(ArchiveCursorPagination):
    ordering = ("-published", "-id")


class ByNameCursorPagination(ArchiveCursorPagination):
    ordering = ("name", "id")
