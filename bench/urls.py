"""The portal's URLs, with the benchmark's three baselines in front. Used only by bench.settings."""

from django.urls import path

from cop_portal.urls import urlpatterns as portal_urlpatterns

from . import views

urlpatterns = [
    path("bench/b0/", views.plaintext, name="bench_b0"),
    path("bench/b1/", views.fortunes, name="bench_b1"),
    path("bench/b2/", views.base_layout, name="bench_b2"),
    path("bench/layout/", views.layout, name="bench_layout"),
    path("bench/layout/public/", views.layout_public, name="bench_layout_public"),
    *portal_urlpatterns,
]
