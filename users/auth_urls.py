"""The contract's auth table, under /dj-rest-auth/."""
from django.urls import path

from users import views

urlpatterns = [
    path("registration/", views.RegisterView.as_view(), name="rest_register"),
    path("login/", views.LoginView.as_view(), name="rest_login"),
    path("logout/", views.LogoutView.as_view(), name="rest_logout"),
    path("token/refresh/", views.TokenRefreshView.as_view(), name="token_refresh"),
    path("user/", views.UserDetailsView.as_view(), name="rest_user_details"),
    path("password/change/", views.PasswordChangeView.as_view(), name="rest_password_change"),
]
