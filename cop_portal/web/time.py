"""The portal's one time zone: the borough's. Dates people type, months on the dashboard and
calendar times are all read in it."""

from zoneinfo import ZoneInfo

from django.conf import settings

LONDON = ZoneInfo(settings.TIME_ZONE)
