from django.urls import path

from .views import (
    accounts,
    background,
    dashboard,
    data_rights,
    home,
    imports,
    journey,
    onboarding,
    organisations,
)

app_name = "members"

urlpatterns = [
    path("", home.home, name="home"),
    path("about/", onboarding.introduction, name="introduction"),
    path("about/read/", onboarding.introduction_read, name="introduction_read"),
    path("ground-rules/", onboarding.ground_rules, name="ground_rules"),
    path("ground-rules/agree/", onboarding.ground_rules_agree, name="ground_rules_agree"),
    path("glossary/", onboarding.glossary, name="glossary"),
    path("pages/<slug:slug>/", onboarding.content_page, name="page"),
    path("pages/<slug:slug>/versions/", onboarding.content_page_versions, name="page_versions"),
    path(
        "pages/<slug:slug>/versions/<int:version>/",
        onboarding.content_page_version,
        name="page_version",
    ),
    path("profile/", accounts.profile, name="profile"),
    path("profile/edit/", accounts.profile_edit, name="profile_edit"),
    path("profile/emails/", accounts.email_preferences, name="email_preferences"),
    path("unsubscribe/<str:token>/", accounts.unsubscribe, name="unsubscribe"),
    path("members/", accounts.directory, name="directory"),
    path("organise/", home.organise, name="organise"),
    path("organise/introduction/", onboarding.IntroductionEdit.as_view(), name="introduction_edit"),
    path("organise/pages/", onboarding.content_pages_manage, name="content_pages_manage"),
    path(
        "organise/pages/<slug:slug>/edit/",
        onboarding.ContentPageEdit.as_view(),
        name="content_page_edit",
    ),
    path("organise/ground-rules/", onboarding.ground_rules_versions, name="ground_rules_versions"),
    path(
        "organise/ground-rules/new/", onboarding.GroundRulesDraft.as_view(), name="ground_rules_new"
    ),
    path(
        "organise/ground-rules/<int:version>/edit/",
        onboarding.GroundRulesDraft.as_view(),
        name="ground_rules_edit",
    ),
    path(
        "organise/ground-rules/<int:version>/publish/",
        onboarding.ground_rules_publish,
        name="ground_rules_publish",
    ),
    path("organise/glossary/", onboarding.glossary_manage, name="glossary_manage"),
    path("organise/glossary/new/", onboarding.GlossaryTermEdit.as_view(), name="glossary_term_new"),
    path(
        "organise/glossary/<int:pk>/edit/",
        onboarding.GlossaryTermEdit.as_view(),
        name="glossary_term_edit",
    ),
    path(
        "organise/glossary/<int:pk>/delete/",
        onboarding.GlossaryTermDelete.as_view(),
        name="glossary_term_delete",
    ),
    path("organise/organisations/", organisations.organisations, name="organisations"),
    path(
        "organise/organisations/new/",
        organisations.OrganisationEdit.as_view(),
        name="organisation_new",
    ),
    path(
        "organise/organisations/<int:pk>/edit/",
        organisations.OrganisationEdit.as_view(),
        name="organisation_edit",
    ),
    path(
        "organise/organisations/merge/",
        organisations.OrganisationMerge.as_view(),
        name="organisation_merge",
    ),
    # From learning to action: a member's own actions and check-ins.
    path("actions/", journey.actions, name="actions"),
    path("actions/new/", journey.action_new, name="action_new"),
    path("actions/shared/", journey.actions_shared, name="actions_shared"),
    path(
        "actions/from-session/<slug:slug>/",
        journey.action_from_session,
        name="action_from_session",
    ),
    path("actions/<int:pk>/", journey.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", journey.action_edit, name="action_edit"),
    path("actions/<int:pk>/delete/", journey.action_delete, name="action_delete"),
    path("journey/", journey.journey, name="journey"),
    path("organise/dashboard/", dashboard.dashboard, name="dashboard"),
    path("organise/background/", background.background, name="background"),
    path("organise/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    # A member's data rights, and organisers acting on a member's request.
    path("profile/data/", data_rights.your_data, name="your_data"),
    path("profile/data/download/", data_rights.data_download, name="data_download"),
    path("profile/delete/", data_rights.account_delete, name="account_delete"),
    path("account-deleted/", data_rights.account_deleted, name="account_deleted"),
    path("organise/member-data/", data_rights.member_data, name="member_data"),
    path(
        "organise/member-data/<int:pk>/",
        data_rights.member_data_detail,
        name="member_data_detail",
    ),
    path(
        "organise/member-data/<int:pk>/download/",
        data_rights.member_data_download,
        name="member_data_download",
    ),
    path(
        "organise/member-data/<int:pk>/erase/",
        data_rights.member_data_erase,
        name="member_data_erase",
    ),
    path("organise/import/", imports.import_data, name="import_data"),
    path("organise/imported-members/", imports.imported_members, name="imported_members"),
    path("join/<str:token>/", accounts.claim, name="claim"),
]
