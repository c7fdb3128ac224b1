"""Pages whose main part is kept already rendered, as UTF-8 bytes, around which only the site's
layout is rendered per request.

A kept part put into a template as text is decoded from the cache, copied into every block and
template around it and encoded again for the response: for a page of half a megabyte (the
dashboard at national scale) that was most of a warm view's time, and grew with the page. Here
the layout is rendered with a slot where the part goes, and the response is the layout's bytes
either side of the kept bytes, joined once."""

import secrets

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# Where the kept part goes: a comment no one outside this process can guess, so nothing the
# layout shows (a name, an address) can hold it and move the cut.
_SLOT = SafeString(f"<!--{secrets.token_hex(16)}-->")


def render_around(request, template_name: str, context: dict, *, name: str, kept: bytes):
    """`template_name` rendered for `request` with `context`, and with the HTML in `kept`
    (UTF-8) where the template shows `name`, which it must show exactly once."""
    head, tail = render_to_string(template_name, {**context, name: _SLOT}, request).split(_SLOT)
    return HttpResponse([head.encode(), kept, tail.encode()])
