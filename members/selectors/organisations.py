"""Reads for organisations."""

from django.db.models import Count
from django.db.models.functions import Lower

from ..models import Organisation


def organisations_with_counts():
    # A GROUP BY drops Meta.ordering, so the order is stated here.
    return Organisation.objects.annotate(member_count=Count("members")).order_by(Lower("name"))
