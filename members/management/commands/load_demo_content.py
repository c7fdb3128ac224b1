import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from events.demo import demo_programme_load
from members.models import Organisation, Sector, Seniority, User
from members.roles import ORGANISERS
from members.selectors import ground_rules_current
from members.services import ground_rules_agree
from resources.demo import demo_resources_load

DEMO_ORGANISATIONS = [
    ("Riverside NHS Foundation Trust", Sector.NHS),
    ("Borough Council Public Health", Sector.LOCAL_AUTHORITY),
    ("Community Voices Network", Sector.VOLUNTARY),
    ("South London Health Research Unit", Sector.ACADEMIC),
]

DEMO_ACCOUNTS = [
    # email, name, organisation index, role, sector, seniority, organiser?
    ("organiser@example.org", "Dana Organiser", 1, "Public health lead", Sector.LOCAL_AUTHORITY,
     Seniority.MANAGER, True),
    ("member@example.org", "Sam Member", 0, "Community nurse", Sector.NHS,
     Seniority.FRONTLINE, False),
]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Create demo organisations, sign-in accounts, a sample programme and resource hub for "
        "trying the "
        "portal out. Only runs "
        "with DEBUG on; each run gives the demo accounts a new password and prints it."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo content is for development only: it needs DEBUG on.")
        password = secrets.token_urlsafe(9)
        with transaction.atomic():
            organisations = [
                Organisation.objects.get_or_create(name=name, defaults={"sector": sector})[0]
                for name, sector in DEMO_ORGANISATIONS
            ]
            rules = ground_rules_current()
            for email, name, org, role, sector, seniority, organiser in DEMO_ACCOUNTS:
                user, _ = User.objects.get_or_create(email=email)
                user.name, user.job_role, user.sector, user.seniority = (
                    name,
                    role,
                    sector,
                    seniority,
                )
                user.organisation = organisations[org]
                user.listed_in_directory = True
                user.profile_completed_at = user.profile_completed_at or timezone.now()
                user.introduction_read_at = user.introduction_read_at or timezone.now()
                user.set_password(password)
                user.save()
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
                if organiser:
                    user.groups.add(Group.objects.get(name=ORGANISERS))
                if rules:
                    ground_rules_agree(user=user, ground_rules=rules)
            demo_programme_load(
                members=User.objects.filter(email__in=[a[0] for a in DEMO_ACCOUNTS])
            )
            demo_resources_load(
                organiser=User.objects.get(email="organiser@example.org"),
                member=User.objects.get(email="member@example.org"),
            )
        self.stdout.write(self.style.SUCCESS("Demo content ready. Sign in at /accounts/login/ as:"))
        for email, *_rest, organiser in DEMO_ACCOUNTS:
            role = "organiser" if organiser else "member"
            self.stdout.write(f"  {role:<10} {email}  password: {password}")
