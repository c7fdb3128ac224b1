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


# Members write Markdown in conversations: fewer tags than organisers (no headings, which would
# break the page's outline, and no tables), and every link marked as theirs, not the portal's.
MEMBER_TAGS = {
    "a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "strong", "ul",
}  # fmt: skip


@register.filter
def member_markdown(text):
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"])
    return mark_safe(  # noqa: S308 - nh3 has removed every tag and attribute not allowed above
        nh3.clean(
            html,
            tags=MEMBER_TAGS,
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="nofollow noopener noreferrer ugc",
        )
    )


@register.simple_tag(takes_context=True)
def site_header(context):
    """The header (includes/_header.html), rendered once per form (cop_portal.web.navigation)."""
    return navigation.site_header(context)
