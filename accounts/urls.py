"""The signed-in user's account, under /dj-rest-auth/ (beside users.auth_urls)."""
from django.urls import path

from accounts import views

urlpatterns = [
    path("user/", views.AccountView.as_view(), name="rest_user_details"),
    path("user/export/", views.AccountExport.as_view(), name="account-export"),
]
