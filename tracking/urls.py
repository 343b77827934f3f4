from django.urls import path

from tracking import views

app_name = "tracking"

urlpatterns = [
    path("count/", views.count, name="count"),
    path("uptake/", views.dashboard, name="dashboard"),
    path("uptake/uptake.csv", views.dashboard_csv, name="dashboard-csv"),
    path("api/v1/uptake/", views.dashboard_api, name="api"),
]
