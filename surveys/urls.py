from django.urls import path

from .views import organise, respond, results

app_name = "surveys"

urlpatterns = [
    path("surveys/", respond.waiting, name="waiting"),
    path("surveys/<slug:slug>/", respond.respond, name="respond"),
    path("surveys/<slug:slug>/thanks/", respond.thanks, name="thanks"),
    # The personal link in an invitation email: fixed paths first (no token is 6 letters).
    path("s/answer/", respond.link_respond, name="link_respond"),
    path("s/thanks/", respond.link_thanks, name="link_thanks"),
    path("s/<str:token>/", respond.link_open, name="link"),
    path("q/<str:code>/", respond.short_link, name="short"),
    # Organisers
    path("organise/surveys/", organise.surveys, name="organise"),
    path("organise/surveys/new/", organise.SurveyEdit.as_view(), name="survey_new"),
    path("organise/surveys/<int:pk>/", organise.survey_detail, name="survey_detail"),
    path("organise/surveys/<int:pk>/edit/", organise.SurveyEdit.as_view(), name="survey_edit"),
    path("organise/surveys/<int:pk>/preview/", organise.preview, name="preview"),
    path("organise/surveys/<int:pk>/publish/", organise.publish, name="publish"),
    path("organise/surveys/<int:pk>/invite/", organise.invite, name="invite"),
    path("organise/surveys/<int:pk>/copy/", organise.SurveyCopy.as_view(), name="survey_copy"),
    path(
        "organise/surveys/after-session/<int:event_id>/",
        organise.StandardSurveyEdit.as_view(),
        name="standard_survey",
    ),
    path(
        "organise/surveys/<int:pk>/questions/new/",
        organise.QuestionEdit.as_view(),
        name="question_new",
    ),
    path(
        "organise/surveys/<int:pk>/questions/<int:question_id>/edit/",
        organise.QuestionEdit.as_view(),
        name="question_edit",
    ),
    path(
        "organise/surveys/<int:pk>/questions/<int:question_id>/delete/",
        organise.QuestionDelete.as_view(),
        name="question_delete",
    ),
    path(
        "organise/surveys/<int:pk>/questions/<int:question_id>/move/",
        organise.question_move,
        name="question_move",
    ),
    path("organise/surveys/<int:pk>/results/", results.results, name="results"),
    path("organise/surveys/<int:pk>/results.csv", results.results_csv, name="results_csv"),
]
