"""A page around a part kept as bytes: the layout rendered per request, the kept part put in as
it was kept, once, where the template shows it."""

import pytest

from cop_portal.web.pages import render_around

pytestmark = pytest.mark.django_db

KEPT = "<h1>Kept “as it was”</h1><p>Nothing here is rendered again: {{ not_a_variable }}</p>"


def test_the_kept_part_goes_where_the_template_shows_it_and_nowhere_else(rf, member):
    request = rf.get("/profile/")
    request.user = member
    response = render_around(
        request, "members/profile.html", {}, name="content", kept=KEPT.encode()
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    main = page.index('<main id="main-content"')
    assert page.count(KEPT) == 1
    assert main < page.index(KEPT) < page.index("</main>")
    assert "<title>Your profile" in page[:main]
    assert "<!--" not in page  # the slot the part went into: the layout has no comment
