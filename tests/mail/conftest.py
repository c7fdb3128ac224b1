import pytest

from cop_portal.settings.base import mailers_from_url
from tests.network import closed_port

from .smtp import SmtpServer


@pytest.fixture
def smtp(settings):
    """A real SMTP server, not yet started (`smtp.start()`), on a port of its own, which the
    delivery mailer points at: until it starts, the mail server is down."""
    server = SmtpServer(closed_port())
    settings.MAILERS = {**settings.MAILERS, "delivery": mailers_from_url(server.url)["delivery"]}
    yield server
    server.stop()
