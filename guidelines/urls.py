from django.urls import path

from guidelines import views

app_name = "guidelines"

urlpatterns = [
    path("collections/<slug:slug>/guidelines/", views.page, name="page"),
    path("collections/<slug:slug>/guidelines/history/", views.history, name="history"),
    path("collections/<slug:slug>/guidelines/edit/", views.edit, name="edit"),
    path(
        "collections/<slug:slug>/guidelines/dont/<slug:asset>/",
        views.dont_image,
        name="dont-image",
    ),
]
