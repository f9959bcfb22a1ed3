from django.urls import path

from safety import views

urlpatterns = [
    path("blocks/", views.BlockList.as_view(), name="block-list"),
    path("blocks/<int:pk>/", views.BlockDetail.as_view(), name="block-detail"),
    path("mutes/", views.MuteList.as_view(), name="mute-list"),
    path("mutes/<int:pk>/", views.MuteDetail.as_view(), name="mute-detail"),
]
