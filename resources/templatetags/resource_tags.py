import re
from urllib.parse import parse_qs, urlparse

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ..selectors.hub import session_resources as session_resources_seen
from ..uploads import FILE_LABELS

register = template.Library()

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
# Hosts whose players may be embedded; the Content-Security-Policy's frame-src lists the same.
EMBED_HOSTS = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")


@register.filter
def video_embed_url(url: str) -> str:
    """The embeddable player address for a YouTube or Vimeo link, or "" for anything else
    (which the page then shows as a plain link)."""
    try:
        parts = urlparse(url or "")
    except ValueError:
        return ""
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    video_id = ""
    if host == "youtube.com" and parts.path == "/watch":
        video_id = parse_qs(parts.query).get("v", [""])[0]
    elif host == "youtube.com" and parts.path.startswith(("/embed/", "/live/", "/shorts/")):
        video_id = parts.path.split("/")[2]
    elif host == "youtu.be":
        video_id = parts.path.lstrip("/")
    if video_id and _YOUTUBE_ID.match(video_id):
        return f"{EMBED_HOSTS[0]}/embed/{video_id}"
    if host == "vimeo.com" and parts.path.strip("/").isdigit():
        return f"{EMBED_HOSTS[1]}/video/{parts.path.strip('/')}"
    return ""


@register.filter
def file_label(content_type: str) -> str:
    """The kind of a stored file as organisers name it ("PDF"), from its content type."""
    return FILE_LABELS.get(content_type, content_type)


@register.simple_tag
def session_resources(event, signed_in, can_see_materials):
    """The resources from a session that its page lists for an audience of it. The session's
    page is the events app's, which knows nothing of resources: it asks for them by this tag,
    in the part of the page it keeps for each audience (events.caching), which a change to any
    resource makes it draw again."""
    resources = session_resources_seen(
        event=event, signed_in=bool(signed_in), can_see_materials=bool(can_see_materials)
    )
    return mark_safe(  # noqa: S308 - rendered from the template, which escapes its values
        render_to_string("resources/_event_resources.html", {"resources": resources})
    )
