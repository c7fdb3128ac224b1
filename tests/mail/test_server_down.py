"""With the mail server down, the portal's actions answer as usual; when it is back, each of
their emails arrives once."""

from collections import Counter
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cop_portal.mail import delivery
from cop_portal.mail.models import MailServer
from events.models import Event
from tests.factories import EventFactory, ProgrammeFactory, UserFactory
from tests.tasks import tasks_run


def test_registering_and_publishing_answer_normally_then_each_email_arrives_once(
    client, organiser, member, smtp
):
    programme = ProgrammeFactory(draft=True, title="July to December 2027")
    EventFactory(programme=programme, status=Event.Status.DRAFT, title="Maternity care")
    session = EventFactory(title="Listening session")
    others = UserFactory.create_batch(3)

    client.force_login(member)
    registered = client.post(reverse("events:register", args=[session.slug]))
    client.force_login(organiser)
    published = client.post(reverse("events:programme_publish", args=[programme.pk]))

    assert (registered.status_code, published.status_code) == (302, 302)
    tasks_run()
    assert smtp.sink.received == []
    assert MailServer.objects.get().failures == 1

    smtp.start()
    delivery.deliver(now=timezone.now() + timedelta(seconds=30))
    delivery.deliver(now=timezone.now() + timedelta(minutes=10))

    received = Counter((m["To"], m["Subject"]) for m in smtp.sink.received)
    programme_news = "[CoP Portal] New programme: July to December 2027"
    assert received == {
        (member.email, "[CoP Portal] You are registered: Listening session"): 1,
        **{(user.email, programme_news): 1 for user in [member, organiser, *others]},
    }
    # The place, before the news.
    assert smtp.sink.received[0]["Subject"] == "[CoP Portal] You are registered: Listening session"
