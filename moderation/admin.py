"""The moderation queue: open reports first, the reported content shown inline, and the actions
(hide the content, deactivate its author, dismiss, restore), each recorded with who and when."""
from django.contrib import admin
from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from moderation import services
from moderation.models import Report

TEXT_SHOWN = 300


def open_reports_on_target():
    """How many open reports the report's target has (its own included, when open)."""
    same = Report.objects.filter(
        target_type=OuterRef("target_type"), target_id=OuterRef("target_id"), status=Report.Status.OPEN
    ).order_by().values("target_type").annotate(n=Count("id")).values("n")
    return Subquery(same, output_field=IntegerField())


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "reason", "target_link", "content", "author", "open_reports", "reporter",
                    "created_at", "action", "handled_by", "handled_at"]
    list_display_links = ["id"]
    list_select_related = ["reporter", "author", "handled_by", "post", "comment", "message", "profile"]
    list_filter = ["status", "reason", "target_type", "action"]
    search_fields = ["author__username", "reporter__username", "note"]
    fields = ["target_type", "target_link", "content", "author", "reporter", "reason", "note", "status",
              "open_reports", "created_at", "action", "handled_by", "handled_at"]
    readonly_fields = fields
    actions = ["hide_content", "deactivate_author", "dismiss", "restore"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(open_count=open_reports_on_target())

    def get_ordering(self, request):
        open_first = Case(When(status=Report.Status.OPEN, then=Value(0)), default=Value(1))
        return [open_first.asc(), "-created_at", "-id"]

    def has_add_permission(self, request):
        return False  # reports come from users (POST /reports/)

    def has_change_permission(self, request, obj=None):
        return False  # acted on through the actions, which record who and when

    @admin.display(description="open reports on it", ordering="open_count")
    def open_reports(self, report):
        return getattr(report, "open_count", None) or 0

    @admin.display(description="target")
    def target_link(self, report):
        target = report.target
        if target is None:
            return "-"
        try:
            url = reverse(f"admin:{target._meta.app_label}_{target._meta.model_name}_change", args=[target.pk])
        except NoReverseMatch:
            return f"{report.target_type} {report.target_id}"
        hidden = " (hidden)" if getattr(target, "hidden_at", None) else ""
        return format_html('<a href="{}">{} {}</a>{}', url, report.target_type, report.target_id, hidden)

    @admin.display(description="content")
    def content(self, report):
        """The reported text (its first characters) and image, as the reporter saw them."""
        target = report.target
        if target is None:
            return "-"
        text = getattr(target, "title", "") or ""
        body = getattr(target, "content", "") or getattr(target, "name", "") or ""
        text = f"{text}: {body}" if text and body else text or body
        if len(text) > TEXT_SHOWN:
            text = text[:TEXT_SHOWN] + "…"
        if not getattr(target, "image", None):
            return text or "-"
        return format_html('{}<br><img src="{}" alt="" style="max-width:120px;max-height:120px">', text,
                           target.image.url)

    def acted(self, request, closed, what):
        self.message_user(request, f"{closed} report(s) {what}.")

    @admin.action(description="Hide the reported content (posts, comments, messages)")
    def hide_content(self, request, queryset):
        self.acted(request, services.reports_hide(reports=queryset, moderator=request.user), "actioned: content hidden")

    @admin.action(description="Deactivate the authors of the reported content")
    def deactivate_author(self, request, queryset):
        closed = services.reports_deactivate_authors(reports=queryset, moderator=request.user)
        self.acted(request, closed, "actioned: authors deactivated and signed out")

    @admin.action(description="Dismiss the reports")
    def dismiss(self, request, queryset):
        self.acted(request, services.reports_dismiss(reports=queryset, moderator=request.user), "dismissed")

    @admin.action(description="Restore: show hidden content again, reactivate authors")
    def restore(self, request, queryset):
        self.acted(request, services.reports_restore(reports=queryset, moderator=request.user), "restored")
