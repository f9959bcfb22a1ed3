from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.NotificationList.as_view(), name="notification-list"),
    path("notifications/unread/", views.UnreadCount.as_view(), name="notification-unread"),
    path("notifications/read/", views.MarkRead.as_view(), name="notification-read"),
]
