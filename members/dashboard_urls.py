"""The engagement and impact dashboard, included in members/urls.py (inside its namespace)."""

from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("organise/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("organise/dashboard.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
]
