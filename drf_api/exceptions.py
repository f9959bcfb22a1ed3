"""DRF's exception handler, with the one exception of ours it must know: a row deleted meanwhile."""
from rest_framework import exceptions, views

from drf_api.models import RowDeleted


def exception_handler(exc, context):
    """A write that lost a race with its row's delete (drf_api.models.RowDeleted) is a 404."""
    if isinstance(exc, RowDeleted):
        exc = exceptions.NotFound()
    return views.exception_handler(exc, context)
