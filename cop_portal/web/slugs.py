"""One way to give anything in the portal a readable, unique address."""

from django.utils.text import slugify


def unique_slug(model, text: str, *, exclude_pk=None, reserved=frozenset()) -> str:
    """A slug for `text` that no other row of `model` has, and that is not one of the
    `reserved` words a fixed URL beside the <slug> route already uses; "-2", "-3"… on clashes.
    It fits the model's slug field, counter included."""
    field = model._meta.get_field("slug")
    base = slugify(text)[: field.max_length - 6].strip("-") or model._meta.model_name
    slug, n = base, 2
    while slug in reserved or model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
