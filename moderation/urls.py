from django.urls import path

from moderation import views

urlpatterns = [
    path("reports/", views.ReportList.as_view(), name="report-list"),
]
