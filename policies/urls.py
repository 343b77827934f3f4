from django.urls import path

from policies import views

app_name = "policies"

urlpatterns = [
    path("policies/", views.index, name="index"),
    path("policies/<slug:slug>/", views.page, name="page"),
    path("policies/<slug:slug>/history/", views.history, name="history"),
    path("policies/<slug:slug>/edit/", views.edit, name="edit"),
    path("announcements/", views.announcements, name="announcements"),
    path("announcements/new/", views.announcement_new, name="announcement_new"),
    path("announcements/<int:pk>/", views.announcement, name="announcement"),
    path("announcements/<int:pk>/edit/", views.announcement_edit, name="announcement_edit"),
    path("announcements/<int:pk>/publish/", views.publish, name="publish"),
]
