from rest_framework import serializers

from drf_api.serializers import StrictCharField, UTCDateTimeField
from moderation.models import Report

# PostgreSQL's bigint: a larger id names nothing (400, not a database error).
LARGEST_ID = 2**63 - 1


class ReportSerializer(serializers.ModelSerializer):
    """A report of a post, comment, message (one the caller received) or profile."""

    target_type = serializers.ChoiceField(Report.Target.choices, help_text="What is reported.")
    target_id = serializers.IntegerField(min_value=1, max_value=LARGEST_ID, help_text="Its id.")
    reason = serializers.ChoiceField(Report.Reason.choices)
    note = StrictCharField(required=False, allow_blank=True, max_length=1000, default="",
                           help_text="Anything the moderators should know (at most 1000 characters).")
    status = serializers.CharField(read_only=True, help_text="`open`, `actioned` or `dismissed`.")
    created_at = UTCDateTimeField(read_only=True)

    class Meta:
        model = Report
        fields = ["id", "target_type", "target_id", "reason", "note", "status", "created_at"]
