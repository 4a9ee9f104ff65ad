"""Sign-in (Django's auth views, with the site's templates), the account page, saved searches."""

from django.contrib.auth import views as auth_views
from django.urls import path

from archive import account_views
from archive.accounts import any_signed_in_user, public

urlpatterns = [
    path("accounts/login/", public(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", public(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/password/", any_signed_in_user(auth_views.PasswordChangeView.as_view()), name="password_change"),
    path(
        "accounts/password/done/",
        any_signed_in_user(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("accounts/", account_views.account, name="account"),
    path("accounts/feed-key/", account_views.rotate_key, name="account_feed_key"),
    path("accounts/api-token/", account_views.api_token, name="account_api_token"),
    path("saved/", account_views.saved_list, name="saved_list"),
    path("saved/new/", account_views.saved_create, name="saved_create"),
    path("saved/<int:pk>/", account_views.saved_open, name="saved_open"),
    path("saved/<int:pk>/digest/", account_views.saved_digest, name="saved_digest"),
    path("saved/<int:pk>/delete/", account_views.saved_delete, name="saved_delete"),
    path("saved/unsubscribe/<str:token>/", account_views.saved_unsubscribe, name="saved_unsubscribe"),
]
