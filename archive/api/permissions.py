from rest_framework.permissions import SAFE_METHODS, BasePermission

from archive.accounts import can_read


class CanReadArchive(BasePermission):
    """Reading only; in a private archive only readers (by session or token) may."""

    message = "Sign in (or send an API token) as a user who may read this archive."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS and can_read(request.user)
