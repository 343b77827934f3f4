from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import PasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    # The identity provider's way in; both 404 until OIDC_ISSUER is set.
    path("oidc/start/", login_not_required(views.ProviderStartView.as_view()), name="oidc-start"),
    path(
        "oidc/callback/",
        login_not_required(views.ProviderCallbackView.as_view()),
        name="oidc-callback",
    ),
    # Django's reset views say "we've emailed you" whether or not the address is known.
    path(
        "password-reset/",
        login_not_required(
            views.PasswordResetView.as_view(
                form_class=PasswordResetForm,
                success_url=reverse_lazy("accounts:password-reset-done"),
                email_template_name="registration/password_reset_email.txt",
            )
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password-reset-complete")
        ),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
]
