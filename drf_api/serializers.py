"""Serializer pieces shared by the apps whose rows belong to a user."""
import datetime

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id is a whole number, as a JSON number or a string of digits.

    DRF would hand `1.5` to the database as 1 and `1e400` (infinity) to int() as an overflow;
    here both, like `true` or `"abc"`, are the field's "incorrect type" 400.
    """

    def to_internal_value(self, data):
        whole_number = isinstance(data, int) and not isinstance(data, bool)
        digits = isinstance(data, str) and data.strip().isdigit()
        if not (whole_number or digits):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """Text, sent as a JSON string: DRF would take `0` or `1.5` and store their digits."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


STRICT_FIELD_MAPPING = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
}


class InputSerializer(serializers.ModelSerializer):
    """A model's writable fields as a client sends them, text strictly as strings; the answer
    comes from the resource's read path (drf_api.reads)."""

    serializer_field_mapping = STRICT_FIELD_MAPPING


class UTCDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField in its given `format` ("iso-8601" or a strftime pattern) for the
    project's time zone, UTC: an aware value is rendered as DRF renders it, without its
    per-value format and time-zone look-ups (a page of 10 posts shows 20 dates)."""

    def to_representation(self, value):
        output_format = getattr(self, "format", api_settings.DATETIME_FORMAT)
        if output_format and isinstance(value, datetime.datetime) and value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
            if output_format.lower() != ISO_8601:
                return value.strftime(output_format)
            text = value.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().to_representation(value)


@extend_schema_field({"type": "string", "example": "27 Aug 2024"})
class DisplayDateField(UTCDateTimeField):
    """A moment shown as the contract's display date, "27 Aug 2024" (UTC): not an ISO date-time."""

    FORMAT = "%d %b %Y"

    def __init__(self, **kwargs):
        super().__init__(format=self.FORMAT, **kwargs)


display_date = DisplayDateField().to_representation


class OwnedModelSerializer(serializers.ModelSerializer):
    """`owner` as a username, set from the caller on create, never from the body.

    Related ids are strict whole numbers, text is strictly a string, and model date-times render
    as display dates.
    """

    serializer_related_field = PrimaryKeyRelatedField
    serializer_field_mapping = {**STRICT_FIELD_MAPPING, models.DateTimeField: DisplayDateField}

    owner = serializers.ReadOnlyField(source="owner.username")


class OwnerAwareModelSerializer(OwnedModelSerializer):
    """Adds whether the caller is the owner."""

    is_owner = serializers.SerializerMethodField()

    def get_is_owner(self, obj) -> bool:
        request = self.context.get("request")
        return request is not None and request.user.id == obj.owner_id
