"""A member's right to a copy of their data (UK GDPR articles 15 and 20): everything the
portal holds about them, across every app, as plain data ready for JSON. (Erasure, article 17,
is in members/services/data_rights.py.)"""

import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from events.models import CAUCUS_CHOICE_PERMISSION as CAUCUS_CHOICE
from events.models import (
    Attendance,
    CalendarFeed,
    CaucusMembership,
    Guest,
    Registration,
    Suggestion,
)
from resources.models import CaseStudy, Concern, Follow, Message, Post, Reflection, StepProgress
from surveys.models import Answer, Invitation, Response

from ..models import (
    Action,
    ActionUpdate,
    AuditEvent,
    CheckIn,
    GroundRulesAgreement,
    JourneyStage,
    User,
)

ABOUT_THIS_FILE = (
    "Everything the CoP Portal holds about you, as it stood when this file was made. Dates and "
    "times are in UTC. Your password is not included: the portal keeps only a one-way hash of it, "
    "which nobody can read back. Secret addresses and sign-in tokens are left out too."
)
ANONYMOUS_ANSWERS = (
    "Answers you gave to anonymous surveys are stored with no link to you at all, so the portal "
    "cannot find them and they are not in this file. The survey invitations below show which "
    "surveys you were asked to answer and whether you did."
)
ANONYMOUS_ANSWERED_LEFT_OUT = (
    "Not included in a copy made by an organiser, because the survey is anonymous: the "
    "member can see it in their own download from their profile."
)
CAUCUS_LEFT_OUT = (
    "Left out: this copy was made by an organiser who is not trusted with caucus choices, so "
    "your caucus, and everything that would reveal it (bookings and attendance at caucus "
    "sessions, their surveys, actions they prompted, and progress and reflections on their "
    "materials), are not included. Your own download from your profile includes them."
)

# What ties each kind of a member's records to a caucus: the paths from the record to
# events.Caucus. A record reached through any of them would tell which caucus the member is in
# (a booking for a caucus session, a step of a caucus session's materials, an action it
# prompted...), so a copy made by an organiser without `events.view_caucus_choice` leaves them
# all out, by this one rule. tests/members/selectors/test_data_rights.py walks every relation
# from the member to a caucus and fails when one is missing here.
CAUCUS_TIES = {
    "events.CaucusMembership": ("caucus",),
    "events.Registration": ("event__caucus",),
    "events.Attendance": ("event__caucus",),
    # Caucus sessions refuse guests; left out all the same, by the one rule.
    "events.Guest": ("event__caucus",),
    "surveys.Invitation": ("survey__caucus", "survey__event__caucus"),
    "surveys.Response": ("survey__caucus", "survey__event__caucus"),
    "members.Action": ("event__caucus",),
    "resources.StepProgress": ("step__resource__event__caucus",),
    "resources.Reflection": ("step__resource__event__caucus",),
    "resources.Post": ("thread__event__caucus", "thread__resource__event__caucus"),
    "resources.Follow": ("thread__event__caucus", "thread__resource__event__caucus"),
    "resources.Concern": ("post__thread__event__caucus", "post__thread__resource__event__caucus"),
}

# Records that reach a caucus but are not a member's data in the export, or tell nothing new.
CAUCUS_TIES_NOT_LEFT_OUT = {
    # Organisers triage every suggestion and see which session each became.
    "events.Suggestion": "organisers already see suggestions and the sessions they became",
    # Who chose the survey sent after a session: organising work, not in a member's export.
    "surveys.StandardSurvey": "chosen_by: organising work, not exported",
    # Who made a resource or a survey: organising work, not in a member's export.
    "resources.Resource": "created_by: organising work, not exported",
    "surveys.Survey": "created_by: organising work, not exported",
    "events.SessionMessage": "sent_by: an organiser's message to a session, not exported",
}


def _without_caucus(queryset, allowed: bool):
    """`queryset` without the rows tied to a caucus (CAUCUS_TIES), unless `allowed`."""
    if allowed:
        return queryset
    paths = CAUCUS_TIES.get(queryset.model._meta.label, ())
    return queryset.filter(**{f"{path}__isnull": True for path in paths})


def _answer(answer: Answer):
    if answer.choice_id:
        return answer.choice.text
    if answer.value is not None:
        return answer.value
    return answer.text


def _two_step(member: User) -> list[dict]:
    return [
        {"type": a.get_type_display(), "created_at": a.created_at, "last_used_at": a.last_used_at}
        for a in Authenticator.objects.filter(user=member).order_by("created_at", "pk")
    ]


def _activity(member: User) -> list[dict]:
    """The audit trail's record of what the member did (signing in, and so on), without the
    records of other people it may name."""
    return [
        {"what": e.get_action_display(), "at": e.at, "from_ip_address": e.ip}
        for e in AuditEvent.objects.filter(actor=member).order_by("at", "pk")
    ]


# Every local holds some of the member's data (the caucus among it): none goes in an error report.
@sensitive_variables()
def member_data_export(*, member: User, viewer: User | None = None) -> dict:
    """Everything the portal holds about `member`, as plain data ready for JSON.

    `viewer` is who asked: the member themselves (or None) gets everything; an organiser without
    `events.view_caucus_choice` gets everything except what reveals the member's caucus."""
    viewer = viewer or member
    with_caucus = viewer.pk == member.pk or viewer.has_perm(CAUCUS_CHOICE)
    stages = dict(JourneyStage.choices)

    data = {
        "about_this_file": ABOUT_THIS_FILE,
        "exported_at": timezone.now(),
        "account": {
            "email": member.email,
            "date_joined": member.date_joined,
            "last_login": member.last_login,
            "active": member.is_active,
            "roles": sorted(member.groups.values_list("name", flat=True)),
        },
        "profile": {
            "name": member.name,
            "organisation": (
                {
                    "name": member.organisation.name,
                    "sector": member.organisation.get_sector_display(),
                }
                if member.organisation
                else None
            ),
            "job_role": member.job_role,
            "sector": member.get_sector_display(),
            "seniority": member.get_seniority_display(),
            "areas_of_interest": sorted(member.interests.values_list("name", flat=True)),
            "listed_in_directory": member.listed_in_directory,
            "directory_shows_email": member.directory_shows_email,
            "profile_completed_at": member.profile_completed_at,
            "introduction_read_at": member.introduction_read_at,
        },
        "email_preferences": {
            "new_programme": member.email_programme,
            "reminders": member.email_reminders,
            "catch_up": member.email_catch_up,
            "survey_invitations": member.email_surveys,
            "digest": member.get_email_digest_display(),
            "organiser_waiting": member.email_organiser_waiting,
        },
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=member).order_by("-primary", "email")
        ],
        # Only what the provider told us about the person; the tokens are left out.
        "social_accounts": [
            {
                "provider": account.provider,
                "uid": account.uid,
                "connected_at": account.date_joined,
                "last_login": account.last_login,
                "details_from_provider": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=member).order_by("pk")
        ],
        # Which kinds of two-step sign-in are set up; their secrets and codes are left out.
        "two_step_sign_in": _two_step(member),
        "account_activity": _activity(member),
        "ground_rules_agreements": [
            {"version": a.ground_rules.version, "agreed_at": a.agreed_at}
            for a in GroundRulesAgreement.objects.filter(member=member)
            .select_related("ground_rules")
            .order_by("ground_rules__version")
        ],
    }

    if with_caucus:
        membership = CaucusMembership.objects.select_related("caucus").filter(member=member).first()
        data["caucus"] = (
            {
                "caucus": membership.caucus.name,
                "consent_version": membership.consent_version,
                "consent_text": membership.consent_text,
                "consented_at": membership.consented_at,
            }
            if membership
            else None
        )
    else:
        data["caucus"] = CAUCUS_LEFT_OUT

    registrations = _without_caucus(
        Registration.objects.filter(member=member), with_caucus
    ).select_related("event")
    data["event_registrations"] = [
        {
            "event": r.event.title,
            "event_starts_at": r.event.starts_at,
            "status": r.get_status_display(),
            "requested_at": r.requested_at,
        }
        for r in registrations.order_by("event__starts_at", "pk")
    ]
    attendances = _without_caucus(
        Attendance.objects.filter(member=member), with_caucus
    ).select_related("event")
    data["attendance"] = [
        {
            "event": a.event.title,
            "event_starts_at": a.event.starts_at,
            "walk_in": a.walk_in,
            "recorded_at": a.recorded_at,
        }
        for a in attendances.order_by("event__starts_at", "pk")
    ]
    # Invitations as a senior-leader guest before joining (events.Guest): what they were told
    # and said. Guests are never at caucus sessions.
    data["guest_invitations"] = [
        {
            "event": g.event.title,
            "event_starts_at": g.event.starts_at,
            "name": g.name,
            "email": g.email,
            "role": g.get_role_display(),
            "job_title": g.job_title,
            "organisation": g.organisation,
            "invited_at": g.invited_at,
            "replied_coming_at": g.registered_at,
            "replied_not_coming_at": g.declined_at,
            "came": g.attended,
        }
        for g in _without_caucus(Guest.objects.filter(member=member), with_caucus)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    ]
    feed = CalendarFeed.objects.filter(member=member).first()
    # The feed's address is a secret that works without signing in: never written to a file.
    data["calendar_feed"] = {"created_at": feed.created_at} if feed else None
    data["suggestions"] = [
        {
            "topic": s.topic,
            "details": s.details,
            "suggested_speaker": s.speaker,
            "lived_experience_lead": s.lived_experience_lead,
            "status": s.get_status_display(),
            "created_at": s.created_at,
        }
        for s in Suggestion.objects.filter(member=member).order_by("created_at", "pk")
    ]

    invitations = _without_caucus(
        Invitation.objects.filter(member=member), with_caucus
    ).select_related("survey")
    # An organiser watching who turns to "responded" while an anonymous survey's results move
    # could tell whose answers they are; a reminder goes only to those who had not answered,
    # so its date tells as much. Only the member's own copy has them.
    own_copy = viewer.pk == member.pk
    data["survey_invitations"] = [
        {
            "survey": i.survey.title,
            "invited_on": i.invited_on,
            **(
                {"reminded_on": i.reminded_on, "responded": i.responded}
                if own_copy or not i.survey.is_anonymous
                else {"reminded_on": ANONYMOUS_ANSWERED_LEFT_OUT,
                      "responded": ANONYMOUS_ANSWERED_LEFT_OUT}
            ),
        }
        for i in invitations.order_by("invited_on", "pk")
    ]  # fmt: skip
    responses = _without_caucus(Response.objects.filter(member=member), with_caucus).select_related(
        "survey", "organisation"
    )
    answers = Answer.objects.select_related("question", "choice").order_by(
        "question__order", "question__pk", "choice__order", "pk"
    )
    data["named_survey_responses"] = [
        {
            "survey": r.survey.title,
            "submitted_on": r.submitted_on,
            "answers": [
                {"question": a.question.text, "answer": _answer(a)} for a in r.answers.all()
            ],
            "recorded_with_it": {
                "sector": r.sector,
                "seniority": r.seniority,
                "organisation": r.organisation.name if r.organisation else None,
            },
        }
        for r in responses.prefetch_related(Prefetch("answers", queryset=answers)).order_by(
            "submitted_on", "survey__title"
        )
    ]
    data["anonymous_survey_responses"] = ANONYMOUS_ANSWERS

    updates = ActionUpdate.objects.order_by("created_at", "pk")
    data["actions"] = [
        {
            "what": a.what,
            "why": a.why,
            "due_on": a.due_on,
            "level": a.get_level_display(),
            "session_that_prompted_it": a.event.title if a.event else None,
            "status": a.get_status_display(),
            "value_created": a.get_value_cycle_display(),
            "shared": a.shared,
            "created_at": a.created_at,
            "completed_on": a.completed_on,
            "updates": [
                {"status": u.get_status_display(), "note": u.note, "created_at": u.created_at}
                for u in a.updates.all()
            ],
        }
        for a in _without_caucus(Action.objects.filter(member=member), with_caucus)
        .select_related("event")
        .prefetch_related(Prefetch("updates", queryset=updates))
        .order_by("created_at", "pk")
    ]
    data["journey_check_ins"] = [
        {"stage": stages[c.stage], "note": c.note, "created_at": c.created_at}
        for c in CheckIn.objects.filter(member=member).order_by("created_at", "pk")
    ]
    data["pathway_progress"] = [
        {
            "pathway": p.step.pathway.title,
            "step": p.step.order,
            "resource": p.step.resource.title,
            "completed_at": p.completed_at,
        }
        for p in _without_caucus(StepProgress.objects.filter(member=member), with_caucus)
        .select_related("step__pathway", "step__resource")
        .order_by("step__pathway__title", "step__order")
    ]
    data["reflections"] = [
        {
            "pathway": r.step.pathway.title,
            "step": r.step.order,
            "text": r.text,
            "updated_at": r.updated_at,
        }
        for r in _without_caucus(Reflection.objects.filter(member=member), with_caucus)
        .select_related("step__pathway")
        .order_by("step__pathway__title", "step__order")
    ]
    data["case_studies"] = [
        {
            "title": c.title,
            "status": c.get_status_display(),
            "context": c.context,
            "what_you_did": c.what_we_did,
            "what_changed": c.what_changed,
            "to_share": c.to_share,
            "topics": [t.name for t in c.topics.all()],
            "show_my_name": c.credit_author,
            "moderator_comment": c.moderator_comment,
            "created_at": c.created_at,
            "submitted_at": c.submitted_at,
            "published_at": c.published_at,
        }
        for c in CaseStudy.objects.filter(author=member)
        .prefetch_related("topics")
        .order_by("created_at", "pk")
    ]
    data["posts"] = [
        {
            "conversation": str(p.thread.subject),
            "kind": p.thread.kind,
            "text": p.body,
            "status": p.get_status_display(),
            "written_at": p.created_at,
        }
        for p in _without_caucus(Post.objects.filter(author=member), with_caucus)
        .select_related("thread__event", "thread__resource", "thread__space")
        .order_by("created_at", "pk")
    ]
    data["conversations_followed"] = [
        str(f.thread.subject)
        for f in _without_caucus(Follow.objects.filter(member=member), with_caucus)
        .select_related("thread__event", "thread__resource", "thread__space")
        .order_by("created_at", "pk")
    ]
    data["messages"] = [
        {
            "from": "you" if m.sender_id == member.pk else (m.sender.name or "a member"),
            "to": "you" if m.recipient_id == member.pk else (m.recipient.name or "a member"),
            "text": m.body,
            "sent_at": m.sent_at,
            "removed_by_organisers": m.removed_at is not None,
        }
        for m in Message.objects.filter(Q(sender=member) | Q(recipient=member))
        .select_related("sender", "recipient")
        .order_by("sent_at", "pk")
    ]
    data["concerns_raised"] = [
        {
            "about": "a post" if c.post_id else "a message",
            "what_you_wrote": c.reason,
            "raised_at": c.raised_at,
            "decision": c.get_outcome_display() or "Waiting for an organiser",
        }
        for c in _without_caucus(Concern.objects.filter(raised_by=member), with_caucus).order_by(
            "raised_at", "pk"
        )
    ]
    return data


def data_export_filename(today: datetime.date | None = None) -> str:
    return f"cop-portal-my-data-{(today or timezone.localdate()).isoformat()}.json"


def member_by_email(email: str) -> User | None:
    """The member an organiser looks up, at their request, by the address they gave."""
    return User.objects.filter(email__iexact=email).first()
