"""The audit trail (issue 9, item 6): exactly which lines each kind of event leaves, and that no
line holds the sensitive values themselves."""

import datetime
import io

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from events.models import Attendance, CaucusMembership
from members.models import AuditEvent, Organisation, User
from members.roles import ORGANISERS
from members.services.audit import attempted_email_hash, audit_record
from tests.factories import (
    AttendanceFactory,
    CaucusFactory,
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
    caucus_member,
    permission_give,
)

PASSWORD = "correct horse battery staple"


def rows(**filters):
    """Each line as (action, actor label, target model, target id, detail, path)."""
    return [
        (
            e.action,
            e.actor_label,
            e.target_type.model if e.target_type else None,
            e.target_id,
            e.detail,
            e.path,
        )
        for e in AuditEvent.objects.filter(**filters).select_related("target_type").order_by("pk")
    ]


# audit_record ----------------------------------------------------------------------------------


def test_audit_record_from_a_user_keeps_a_label_when_the_user_is_deleted(db):
    user = UserFactory()
    event = audit_record(user, AuditEvent.Action.MEMBER_VIEWED, target=user, detail="x" * 300)
    assert (event.actor, event.actor_label, event.path, event.ip) == (
        user,
        f"user #{user.pk}",
        "",
        None,
    )
    assert len(event.detail) == 200
    pk = user.pk
    user.delete()
    event.refresh_from_db()
    assert (event.actor, event.actor_label, event.target_id) == (None, f"user #{pk}", str(pk))


def test_audit_record_from_a_request_takes_the_path_and_address(rf, member):
    request = rf.get("/organise/?q=secret", REMOTE_ADDR="203.0.113.9")
    request.user = member
    event = audit_record(request, AuditEvent.Action.ACCESS_DENIED)
    assert (event.actor, event.path, event.ip) == (member, "/organise/", "203.0.113.9")
    request = rf.get("/", REMOTE_ADDR="not an address")
    request.user = member
    assert audit_record(request, AuditEvent.Action.ACCESS_DENIED).ip is None


# Signing in and out ----------------------------------------------------------------------------


def test_signing_in_and_out_through_the_form_leaves_two_lines(client, member):
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    client.post(reverse("account_logout"))
    label = f"user #{member.pk}"
    assert rows() == [
        ("signed_in", label, "user", str(member.pk), "", "/accounts/login/"),
        ("signed_out", label, "user", str(member.pk), "", "/accounts/logout/"),
    ]
    assert list(AuditEvent.objects.values_list("ip", flat=True)) == ["127.0.0.1", "127.0.0.1"]


def test_a_failed_sign_in_keeps_neither_the_password_nor_the_address(client, member):
    client.post(reverse("account_login"), {"login": member.email, "password": "my secret guess 1"})
    client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "my secret guess 2"}
    )
    first, second = AuditEvent.objects.order_by("pk")
    assert (first.action, first.actor, first.target_type, first.path) == (
        "sign_in_failed",
        None,
        None,
        "/accounts/login/",
    )
    assert first.detail == f"address hash {attempted_email_hash(member.email)}"
    assert second.detail == f"address hash {attempted_email_hash('nobody@example.org')}"
    assert first.detail != second.detail
    # The same address typed differently gives the same hash.
    assert attempted_email_hash(member.email.upper() + " ") == attempted_email_hash(member.email)
    for event in (first, second):
        stored = " ".join(
            str(v) for v in AuditEvent.objects.filter(pk=event.pk).values().get().values()
        )
        assert "secret guess" not in stored
        assert "example.org" not in stored


def test_refused_access_is_logged(member_client, member):
    response = member_client.get(reverse("members:organise"))
    assert response.status_code == 403
    assert rows(action="access_denied") == [
        ("access_denied", f"user #{member.pk}", None, "", "", "/organise/")
    ]


# Organisers' reads -----------------------------------------------------------------------------


def test_opening_an_attendance_register_is_logged(organiser_client, organiser):
    event = EventFactory(started=True)
    RegistrationFactory(event=event)
    url = reverse("events:event_attendance", args=[event.pk])
    assert organiser_client.get(url).status_code == 200
    assert rows(action__contains="register") == [
        ("register_viewed", f"user #{organiser.pk}", "event", str(event.pk), "", url)
    ]


def test_opening_a_caucus_session_register_is_a_special_category_read(client, ground_rules):
    organiser = UserFactory(agreed_to=ground_rules, groups=[ORGANISERS])
    permission_give(organiser, "events.view_caucus_choice")
    client.force_login(organiser)
    caucus = CaucusFactory()
    event = EventFactory(started=True, caucus=caucus)
    RegistrationFactory(event=event, member=caucus_member(caucus))
    url = reverse("events:event_attendance", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert rows(action__contains="register") == [
        ("caucus_register_viewed", f"user #{organiser.pk}", "event", str(event.pk), "", url)
    ]
    # The caucus itself is never written down.
    assert not AuditEvent.objects.filter(detail__icontains=caucus.name).exists()


def test_caucus_register_refused_without_the_permission_is_logged(organiser_client, organiser):
    event = EventFactory(started=True, caucus=CaucusFactory())
    url = reverse("events:event_attendance", args=[event.pk])
    assert organiser_client.get(url).status_code == 403
    assert rows(action__in=["access_denied", "caucus_register_viewed"]) == [
        ("access_denied", f"user #{organiser.pk}", None, "", "", url)
    ]


def test_admin_views_of_caucus_choices_and_member_records_are_logged(client, ground_rules):
    admin = UserFactory(agreed_to=ground_rules, is_staff=True, is_superuser=True)
    client.force_login(admin)
    choice = CaucusMembership.objects.get(member=caucus_member(CaucusFactory()))
    member = UserFactory()
    changelist = reverse("admin:events_caucusmembership_changelist")
    change = reverse("admin:events_caucusmembership_change", args=[choice.pk])
    member_url = reverse("admin:members_user_change", args=[member.pk])
    for url in (
        changelist,
        change,
        member_url,
        reverse("admin:members_user_change", args=[admin.pk]),
    ):
        assert client.get(url).status_code == 200
    label = f"user #{admin.pk}"
    assert rows(action__in=["caucus_choices_viewed", "member_viewed"]) == [
        ("caucus_choices_viewed", label, None, "", "list", changelist),
        ("caucus_choices_viewed", label, "caucusmembership", str(choice.pk), "", change),
        # An administrator opening their own record is not a read of someone else's data.
        ("member_viewed", label, "user", str(member.pk), "", member_url),
    ]


def test_checking_and_importing_members_is_logged(organiser_client, organiser):
    url = reverse("members:import_data")
    csv = "Email,First name,Last name\r\nnew.one@example.org,New,One\r\n"
    upload = SimpleUploadedFile("members.csv", csv.encode(), content_type="text/csv")
    response = organiser_client.post(url, {"step": "check", "kind": "members", "file": upload})
    assert response.status_code == 200
    token = response.context["confirm_form"].initial["token"]
    organiser_client.post(url, {"step": "confirm", "token": token})
    assert User.objects.filter(email="new.one@example.org").exists()
    label = f"user #{organiser.pk}"
    assert rows(action__in=["import_checked", "members_imported"]) == [
        ("import_checked", label, None, "", "members: 1 rows", url),
        ("members_imported", label, None, "", "1 member created", url),
    ]


def test_the_import_commands_write_the_lines_the_upload_page_writes(tmp_path, db):
    """The same lines as the page above, with nobody named: a shell has no signed-in member."""
    members = tmp_path / "members.csv"
    members.write_text("Email,First name,Last name\r\nnew.one@example.org,New,One\r\n")
    register = tmp_path / "register.csv"
    register.write_text("Email,Name\r\nnew.one@example.org,New One\r\n")
    quiet = {"stdout": io.StringIO()}
    call_command("import_members", str(members), "--dry-run", **quiet)
    call_command("import_members", str(members), **quiet)
    call_command(
        "import_attendance",
        str(register),
        "--event-title",
        "Peer learning",
        "--event-date",
        "2024-04-18",
        "--new-session",
        **quiet,
    )
    assert rows() == [
        ("import_checked", "", None, "", "members: 1 rows", ""),
        ("import_checked", "", None, "", "members: 1 rows", ""),
        ("members_imported", "", None, "", "1 member created", ""),
        ("import_checked", "", None, "", "attendance: 1 rows", ""),
        ("attendance_imported", "", None, "", "1 event and 1 attendance created", ""),
    ]


# Organisers' changes ---------------------------------------------------------------------------


def test_marking_attendance_and_a_walk_in_is_logged(organiser_client, organiser):
    event = EventFactory(started=True)
    came, missed = UserFactory(), UserFactory()
    for person in (came, missed):
        RegistrationFactory(event=event, member=person)
    url = reverse("events:event_attendance", args=[event.pk])
    AttendanceFactory(event=event, member=missed)
    organiser_client.post(url, {"present": [str(came.pk)]})
    walker = UserFactory(email="walker@example.org")
    walk_in = reverse("events:event_walk_in", args=[event.pk])
    organiser_client.post(walk_in, {"email": "walker@example.org"})
    assert set(Attendance.objects.values_list("member", flat=True)) == {came.pk, walker.pk}
    label = f"user #{organiser.pk}"
    assert rows(action="attendance_marked") == [
        ("attendance_marked", label, "event", str(event.pk), "1 marked present, 1 unmarked", url),
        ("attendance_marked", label, "event", str(event.pk), f"walk-in user #{walker.pk}", walk_in),
    ]


def test_merging_organisations_is_logged(organiser_client, organiser):
    keep = OrganisationFactory(name="Riverside NHS Foundation Trust")
    duplicate = OrganisationFactory(name="Riverside NHS FT")
    UserFactory.create_batch(2, organisation=duplicate)
    url = reverse("members:organisation_merge")
    organiser_client.post(url, {"keep": keep.pk, "duplicates": [duplicate.pk, keep.pk]})
    assert list(Organisation.objects.filter(name__startswith="Riverside")) == [keep]
    assert rows(action="organisations_merged") == [
        (
            "organisations_merged",
            f"user #{organiser.pk}",
            "organisation",
            str(keep.pk),
            "1 merged in, 2 member(s) moved",
            url,
        )
    ]


# The admin -------------------------------------------------------------------------------------


def test_only_superusers_may_read_the_audit_trail_and_nobody_may_change_it(client, ground_rules):
    line = audit_record(None, AuditEvent.Action.SIGN_IN_FAILED, detail="address hash 0")
    staff = UserFactory(agreed_to=ground_rules, is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(content_type=ContentType.objects.get_for_model(AuditEvent))
    )
    client.force_login(staff)
    changelist = reverse("admin:members_auditevent_changelist")
    assert client.get(changelist).status_code == 403
    superuser = UserFactory(agreed_to=ground_rules, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get(changelist)
    assert response.status_code == 200
    assert "address hash 0" in response.content.decode()
    change = reverse("admin:members_auditevent_change", args=[line.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"detail": "rewritten"}).status_code == 403
    assert client.get(reverse("admin:members_auditevent_add")).status_code == 403
    delete = reverse("admin:members_auditevent_delete", args=[line.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    line.refresh_from_db()
    assert line.detail == "address hash 0"


def test_audit_purge_deletes_lines_older_than_two_years(db):
    import io

    from django.core.management import call_command

    now = timezone.now()
    old = audit_record(None, AuditEvent.Action.SIGN_IN_FAILED)
    kept = audit_record(None, AuditEvent.Action.SIGN_IN_FAILED)
    AuditEvent.objects.filter(pk=old.pk).update(at=now - datetime.timedelta(days=731))
    AuditEvent.objects.filter(pk=kept.pk).update(at=now - datetime.timedelta(days=729))
    out = io.StringIO()
    call_command("audit_purge", stdout=out)
    assert out.getvalue() == "Deleted 1 audit line.\n"
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    call_command("audit_purge", "--days", "30", stdout=out)
    assert not AuditEvent.objects.exists()
