"""A member's data rights, and organisers acting on a member's request: included in
members/urls.py, in its namespace."""

from django.urls import path

from . import data_rights_views

urlpatterns = [
    path("profile/data/", data_rights_views.your_data, name="your_data"),
    path("profile/data/download/", data_rights_views.data_download, name="data_download"),
    path("profile/delete/", data_rights_views.account_delete, name="account_delete"),
    path("account-deleted/", data_rights_views.account_deleted, name="account_deleted"),
    path("organise/member-data/", data_rights_views.member_data, name="member_data"),
    path(
        "organise/member-data/<int:pk>/",
        data_rights_views.member_data_detail,
        name="member_data_detail",
    ),
    path(
        "organise/member-data/<int:pk>/download/",
        data_rights_views.member_data_download,
        name="member_data_download",
    ),
    path(
        "organise/member-data/<int:pk>/erase/",
        data_rights_views.member_data_erase,
        name="member_data_erase",
    ),
]
