"""The `markdown` filter that organisers' text goes through: the formatting they use is kept,
anything that could run is not."""

from cop_portal.web.templatetags.portal import markdown


def test_markdown_keeps_headings_lists_links_and_emphasis():
    text = (
        "## Welcome\n\nSome **bold** text.\n\n- one\n- two\n\n1. first\n2. second\n\n"
        '[The CoP](https://example.org/cop "Home")'
    )

    assert markdown(text) == (
        "<h2>Welcome</h2>\n"
        "<p>Some <strong>bold</strong> text.</p>\n"
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"
        '<p><a href="https://example.org/cop" title="Home" rel="noopener noreferrer">'
        "The CoP</a></p>"
    )


def test_markdown_strips_scripts_and_event_handlers():
    html = markdown(
        'Hello\n\n<script>alert("x")</script>\n\n'
        '<p onclick="steal()">Click</p>\n\n<a href="javascript:steal()">link</a>'
    )

    assert "<script" not in html
    assert "alert" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert html == '<p>Hello</p>\n\n\n<p>Click</p>\n\n<p><a rel="noopener noreferrer">link</a></p>'


def test_markdown_drops_a_top_level_heading_but_keeps_its_text():
    """Each page has one <h1> already, so Markdown may not add another."""
    assert markdown("# Big title") == "Big title"


def test_markdown_of_nothing_is_empty():
    assert markdown(None) == ""
    assert markdown("") == ""
