from django.urls import path

from . import dashboard_urls, data_rights_urls, journey_urls, views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.introduction, name="introduction"),
    path("about/read/", views.introduction_read, name="introduction_read"),
    path("ground-rules/", views.ground_rules, name="ground_rules"),
    path("ground-rules/agree/", views.ground_rules_agree, name="ground_rules_agree"),
    path("glossary/", views.glossary, name="glossary"),
    path("pages/<slug:slug>/", views.content_page, name="page"),
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("profile/emails/", views.email_preferences, name="email_preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("members/", views.directory, name="directory"),
    path("organise/", views.organise, name="organise"),
    path("organise/introduction/", views.IntroductionEdit.as_view(), name="introduction_edit"),
    path("organise/ground-rules/", views.ground_rules_versions, name="ground_rules_versions"),
    path("organise/ground-rules/new/", views.GroundRulesDraft.as_view(), name="ground_rules_new"),
    path(
        "organise/ground-rules/<int:version>/edit/",
        views.GroundRulesDraft.as_view(),
        name="ground_rules_edit",
    ),
    path(
        "organise/ground-rules/<int:version>/publish/",
        views.ground_rules_publish,
        name="ground_rules_publish",
    ),
    path("organise/glossary/", views.glossary_manage, name="glossary_manage"),
    path("organise/glossary/new/", views.GlossaryTermEdit.as_view(), name="glossary_term_new"),
    path(
        "organise/glossary/<int:pk>/edit/",
        views.GlossaryTermEdit.as_view(),
        name="glossary_term_edit",
    ),
    path(
        "organise/glossary/<int:pk>/delete/",
        views.GlossaryTermDelete.as_view(),
        name="glossary_term_delete",
    ),
    path("organise/organisations/", views.organisations, name="organisations"),
    path("organise/organisations/new/", views.OrganisationEdit.as_view(), name="organisation_new"),
    path(
        "organise/organisations/<int:pk>/edit/",
        views.OrganisationEdit.as_view(),
        name="organisation_edit",
    ),
    path(
        "organise/organisations/merge/",
        views.OrganisationMerge.as_view(),
        name="organisation_merge",
    ),
    *journey_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
    *data_rights_urls.urlpatterns,
    path("organise/import/", views.import_data, name="import_data"),
    path("organise/imported-members/", views.imported_members, name="imported_members"),
    path("join/<str:token>/", views.claim, name="claim"),
]
