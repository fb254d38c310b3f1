"""Cursor pagination: stable pages however many rows are added meanwhile, no count (so
nothing hidden is ever counted), newest first."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 250
