from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("", include("resources.urls")),
    path("", include("surveys.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
