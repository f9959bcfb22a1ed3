"""drf_api.serializers.UTCDateTimeField renders what DRF's DateTimeField renders, faster."""
import datetime

import pytest
from rest_framework import serializers

from drf_api.serializers import DisplayDateField, UTCDateTimeField

# Aware moments in and out of UTC (one of them on the next day there), and none.
MOMENTS = [
    datetime.datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC),
    datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
    datetime.datetime(2025, 12, 31, 0, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30))),
    None,
]


@pytest.mark.parametrize("output_format", ["iso-8601", "%H:%M", "%d %b %Y"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_utc_date_times_render_as_drf_renders_them(output_format, moment):
    assert UTCDateTimeField(format=output_format).to_representation(moment) == (
        serializers.DateTimeField(format=output_format).to_representation(moment)
    )


@pytest.mark.parametrize("moment", MOMENTS)
def test_display_dates_render_as_drf_renders_them(moment):
    assert DisplayDateField().to_representation(moment) == (
        serializers.DateTimeField(format="%d %b %Y").to_representation(moment)
    )
