"""Reports: a signed-in user reports content and follows what became of their own reports."""
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from drf_api.throttling import WriteRateThrottle
from moderation import services
from moderation.models import Report
from moderation.serializers import ReportSerializer


class ReportThrottle(WriteRateThrottle):
    """New reports per user: THROTTLE_RATE_REPORTS (reading one's reports is not counted)."""

    scope = "reports"


class ReportList(generics.ListCreateAPIView):
    """The caller's reports, newest first, with what became of each (`status`); report a post,
    comment, message you received or profile with `{"target_type", "target_id", "reason",
    "note"?}`. 400 for something you cannot see, your own content, or a second open report of
    yours on the same target."""

    serializer_class = ReportSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = [*generics.ListCreateAPIView.throttle_classes, ReportThrottle]

    def get_queryset(self):
        return Report.objects.filter(reporter=self.request.user.id).order_by("-created_at", "-id")

    def perform_create(self, serializer):
        serializer.instance = services.report_create(reporter=self.request.user, **serializer.validated_data)
