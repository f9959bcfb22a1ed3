"""The contract's auth table, under /dj-rest-auth/ (the account itself, `user/`, is the accounts app's)."""
from django.urls import path

from users import views

urlpatterns = [
    path("registration/", views.RegisterView.as_view(), name="rest_register"),
    path("registration/verify-email/", views.VerifyEmailView.as_view(), name="rest_verify_email"),
    path("registration/resend-email/", views.ResendEmailVerificationView.as_view(), name="rest_resend_email"),
    path("login/", views.LoginView.as_view(), name="rest_login"),
    path("logout/", views.LogoutView.as_view(), name="rest_logout"),
    path("token/refresh/", views.TokenRefreshView.as_view(), name="token_refresh"),
    path("password/change/", views.PasswordChangeView.as_view(), name="rest_password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="rest_password_reset"),
    path("password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="rest_password_reset_confirm"),
]
