"""Members' actions and journey check-ins: included in members/urls.py, in its namespace."""

from django.urls import path

from . import journey_views

urlpatterns = [
    path("actions/", journey_views.actions, name="actions"),
    path("actions/new/", journey_views.action_new, name="action_new"),
    path("actions/shared/", journey_views.actions_shared, name="actions_shared"),
    path("actions/<int:pk>/", journey_views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", journey_views.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", journey_views.action_delete, name="action_delete"),
    path("journey/", journey_views.journey, name="journey"),
]
