from rest_framework import permissions


class IsOwnerOrReadOnly(permissions.IsAuthenticatedOrReadOnly):
    """Anyone may read; only a signed-in owner may change.

    Anonymous writes are a 401 before the object is even looked up, so the answer is the same
    whether the id exists or not.
    """

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.owner_id == request.user.id
