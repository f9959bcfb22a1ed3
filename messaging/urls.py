from django.urls import path

from messaging import views

urlpatterns = [
    path("messages/", views.ConversationList.as_view(), name="conversation-list"),
    path("messages/<int:user_id>/", views.Thread.as_view(), name="message-thread"),
    path("messages/<int:user_id>/send/", views.SendMessage.as_view(), name="message-send"),
    path("messages/<int:user_id>/start/", views.SendMessage.as_view(), name="message-start"),
    path("messages/<int:user_id>/read/", views.MarkRead.as_view(), name="message-mark-read"),
    path("messages/<int:pk>/update/", views.MessageUpdate.as_view(), name="message-update"),
    path("messages/<int:pk>/delete/", views.MessageDelete.as_view(), name="message-delete"),
    path("chats/<int:user_id>/delete/", views.ChatDelete.as_view(), name="chat-delete"),
]
