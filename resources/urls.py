from django.urls import path

from .views import community, conversation, hub, organise

app_name = "resources"

urlpatterns = [
    path("resources/", hub.browse, name="browse"),
    path("resources/search/", hub.search, name="search"),
    path("resources/catch-up/", hub.catch_up, name="catch_up"),
    path("resources/<slug:slug>/", hub.detail, name="detail"),
    path("resources/<slug:slug>/download/", hub.download, name="download"),
    # Learning pathways, case studies and the initiatives directory
    path("pathways/", community.pathways, name="pathways"),
    path("pathways/<slug:slug>/", community.pathway, name="pathway"),
    path("pathways/<slug:slug>/steps/<int:step_id>/done/", community.step_done, name="step_done"),
    path(
        "pathways/<slug:slug>/steps/<int:step_id>/reflection/",
        community.reflection,
        name="reflection",
    ),
    path("case-studies/", community.case_studies, name="case_studies"),
    path("case-studies/mine/", community.my_case_studies, name="my_case_studies"),
    path("case-studies/new/", community.case_study_new, name="case_study_new"),
    path("case-studies/<slug:slug>/", community.case_study, name="case_study"),
    path("case-studies/<slug:slug>/edit/", community.case_study_edit, name="case_study_edit"),
    path("case-studies/<slug:slug>/submit/", community.case_study_submit, name="case_study_submit"),
    path("initiatives/", community.initiatives, name="initiatives"),
    path("initiatives/<slug:slug>/", community.initiative, name="initiative"),
    # Conversation between sessions, and messages between members
    path("conversations/", conversation.conversations, name="conversations"),
    path("conversations/spaces/<slug:slug>/", conversation.space, name="space"),
    path("conversations/sessions/<slug:slug>/", conversation.session_thread, name="session_thread"),
    path(
        "conversations/resources/<slug:slug>/", conversation.resource_thread, name="resource_thread"
    ),
    path("conversations/<int:pk>/follow/", conversation.thread_follow, name="thread_follow"),
    path("conversations/posts/<int:pk>/delete/", conversation.post_delete, name="post_delete"),
    path("conversations/posts/<int:pk>/concern/", conversation.post_concern, name="post_concern"),
    path("messages/", conversation.inbox, name="inbox"),
    path("messages/<int:pk>/", conversation.messages_with, name="messages_with"),
    path(
        "messages/received/<int:pk>/concern/",
        conversation.message_concern,
        name="message_concern",
    ),
    path("organise/concerns/", conversation.concerns, name="concerns"),
    path(
        "organise/concerns/posts/<int:pk>/",
        conversation.concern_decide,
        {"kind": "post"},
        name="concern_decide_post",
    ),
    path(
        "organise/concerns/messages/<int:pk>/",
        conversation.concern_decide,
        {"kind": "message"},
        name="concern_decide_message",
    ),
    # Organisers
    path("organise/resources/", organise.resources, name="organise_resources"),
    path("organise/resources/new/", organise.ResourceEdit.as_view(), name="resource_new"),
    path(
        "organise/resources/<int:pk>/edit/", organise.ResourceEdit.as_view(), name="resource_edit"
    ),
    path(
        "organise/resources/<int:pk>/delete/",
        organise.ResourceDelete.as_view(),
        name="resource_delete",
    ),
    path("organise/pathways/", organise.pathways, name="organise_pathways"),
    path("organise/pathways/new/", organise.PathwayEdit.as_view(), name="pathway_new"),
    path("organise/pathways/<int:pk>/edit/", organise.PathwayEdit.as_view(), name="pathway_edit"),
    path("organise/case-studies/", organise.case_studies, name="moderation"),
    path(
        "organise/case-studies/<int:pk>/",
        organise.CaseStudyReview.as_view(),
        name="case_study_review",
    ),
    path("organise/initiatives/", organise.initiatives, name="organise_initiatives"),
    path("organise/initiatives/new/", organise.InitiativeEdit.as_view(), name="initiative_new"),
    path(
        "organise/initiatives/<int:pk>/edit/",
        organise.InitiativeEdit.as_view(),
        name="initiative_edit",
    ),
    path("organise/topics/", organise.topics, name="topics"),
    path("organise/topics/new/", organise.TopicEdit.as_view(), name="topic_new"),
    path("organise/topics/<int:pk>/edit/", organise.TopicEdit.as_view(), name="topic_edit"),
]
