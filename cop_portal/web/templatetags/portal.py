import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from cop_portal.web import navigation

register = template.Library()

# Organisers write Markdown; whatever HTML it produces is cleaned to this allow-list before it
# reaches a page, so pasted script or styling cannot run.
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip


@register.filter
def markdown(text):
    html = markdown_lib.markdown(text or "", extensions=["sane_lists", "tables"])
    return mark_safe(  # noqa: S308 - nh3 has removed every tag and attribute not allowed above
        nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}, "abbr": {"title"}})
    )


@register.simple_tag(takes_context=True)
def site_header(context):
    """The header (includes/_header.html), rendered once per form (cop_portal.web.navigation)."""
    return navigation.site_header(context)
