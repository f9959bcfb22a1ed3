from django.contrib.auth import get_user_model


def user_queryset():
    """Users in a stable order: by id, oldest account first."""
    return get_user_model().objects.only("id", "username").order_by("id")
