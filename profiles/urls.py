from django.urls import path

from profiles import views

urlpatterns = [
    path("profiles/", views.ProfileList.as_view(), name="profile-list"),
    path("profiles/most_followed/", views.MostFollowedProfileList.as_view(), name="profile-most-followed"),
    path("profiles/<int:pk>/", views.ProfileDetail.as_view(), name="profile-detail"),
]
