from django.urls import path

from privacypass import views

app_name = "privacypass"

urlpatterns = [
    path("tokens/key/", views.token_key, name="key"),
    path("tokens/issue/", views.token_issue, name="issue"),
]
