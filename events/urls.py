from django.urls import path

from .views import guests, organise, public

app_name = "events"

urlpatterns = [
    path("programme/", public.programme, name="programme"),
    path("programme/past/", public.past, name="past"),
    path("programme/calendar.ics", public.programme_feed, name="programme_feed"),
    path("events/<slug:slug>/", public.detail, name="detail"),
    path("events/<slug:slug>/calendar.ics", public.event_ics, name="event_ics"),
    path("events/<slug:slug>/register/", public.register, name="register"),
    path("events/<slug:slug>/cancel/", public.cancel_registration, name="cancel_registration"),
    path("my-events/", public.mine, name="mine"),
    path("my-events/calendar/reset/", public.feed_reset, name="feed_reset"),
    path("calendar/<str:token>.ics", public.personal_feed, name="personal_feed"),
    path("caucus/", public.caucus, name="caucus"),
    path("caucus/withdraw/", public.caucus_withdraw, name="caucus_withdraw"),
    path("suggestions/", public.suggestions, name="suggestions"),
    # Guests: the personal link in an invitation, then pages without the token in the address.
    path("guest/invitation/", guests.guest_page, name="guest_page"),
    path("guest/invitation/reply/", guests.guest_reply, name="guest_reply"),
    path("guest/invitation/calendar.ics", guests.guest_ics, name="guest_ics"),
    path("guest/invitation/join/", guests.guest_join, name="guest_join"),
    path("guest/<str:token>/", guests.guest_link, name="guest_link"),
    # Organisers
    path("organise/programme/", organise.programme, name="organise_programme"),
    path("organise/programme/new/", organise.ProgrammeEdit.as_view(), name="programme_new"),
    path(
        "organise/programme/<int:pk>/edit/",
        organise.ProgrammeEdit.as_view(),
        name="programme_edit",
    ),
    path(
        "organise/programme/<int:pk>/publish/",
        organise.programme_publish,
        name="programme_publish",
    ),
    path("organise/events/new/", organise.EventEdit.as_view(), name="event_new"),
    path("organise/events/<int:pk>/edit/", organise.EventEdit.as_view(), name="event_edit"),
    path("organise/events/<int:pk>/publish/", organise.event_publish, name="event_publish"),
    path("organise/events/<int:pk>/copy/", organise.EventCopy.as_view(), name="event_copy"),
    path("organise/events/<int:pk>/repeat/", organise.EventRepeat.as_view(), name="event_repeat"),
    path("organise/events/<int:pk>/cancel/", organise.EventCancel.as_view(), name="event_cancel"),
    path(
        "organise/events/<int:pk>/attendance/",
        organise.event_attendance,
        name="event_attendance",
    ),
    path(
        "organise/events/<int:pk>/attendance/walk-in/",
        organise.event_walk_in,
        name="event_walk_in",
    ),
    path(
        "organise/events/<int:pk>/bookings/",
        organise.event_bookings,
        name="event_bookings",
    ),
    path(
        "organise/events/<int:pk>/bookings/give-place/",
        organise.event_place_give,
        name="event_place_give",
    ),
    path(
        "organise/events/<int:pk>/bookings/message/",
        organise.event_message,
        name="event_message",
    ),
    path(
        "organise/events/<int:pk>/summary/",
        organise.EventSummary.as_view(),
        name="event_summary",
    ),
    path("organise/events/<int:pk>/guests/", guests.event_guests, name="event_guests"),
    path(
        "organise/events/<int:pk>/guests/<int:guest_id>/resend/",
        guests.guest_resend,
        name="guest_resend",
    ),
    path(
        "organise/events/<int:pk>/guests/<int:guest_id>/withdraw/",
        guests.guest_withdraw,
        name="guest_withdraw",
    ),
    path(
        "organise/events/<int:pk>/guests/attendance/",
        guests.guest_attendance,
        name="guest_attendance",
    ),
    path(
        "organise/events/<int:pk>/guests/briefing.pdf",
        guests.guest_briefing,
        name="guest_briefing",
    ),
    path("organise/suggestions/", organise.suggestions, name="suggestions_triage"),
    path("organise/descriptions/", organise.descriptions, name="descriptions"),
    path("organise/kinds/new/", organise.EventKindEdit.as_view(), name="kind_new"),
    path("organise/kinds/<int:pk>/edit/", organise.EventKindEdit.as_view(), name="kind_edit"),
    path("organise/kinds/<int:pk>/delete/", organise.EventKindDelete.as_view(), name="kind_delete"),
    path("organise/goals/new/", organise.GoalEdit.as_view(), name="goal_new"),
    path("organise/goals/<int:pk>/edit/", organise.GoalEdit.as_view(), name="goal_edit"),
    path("organise/goals/<int:pk>/delete/", organise.GoalDelete.as_view(), name="goal_delete"),
    path("organise/caucuses/new/", organise.CaucusEdit.as_view(), name="caucus_new"),
    path("organise/caucuses/<int:pk>/edit/", organise.CaucusEdit.as_view(), name="caucus_edit"),
    path(
        "organise/suggestions/<int:pk>/",
        organise.SuggestionEdit.as_view(),
        name="suggestion_edit",
    ),
]
