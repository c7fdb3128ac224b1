"""The simulated members of `make loadtest` (run by loadtest/run.py, not on its own).

Each simulated member signs in through the real sign-in form, then browses the programme, events
and the resource hub, searches, registers for events and cancels, and answers the surveys waiting
for them, with a pause between pages as a person would.

loadtest/run.py writes the plan (LOADTEST_PLAN: who signs in, which events and surveys, the
answers) and reads back two files written here when the run ends:
- LOADTEST_REQUESTS: every request (start time, milliseconds, name, status, failed or not,
  whether a failure was the friendly 503 page, the instance that answered when a balancer in
  front names it in X-Served-By, the member, and the failure's reason);
- LOADTEST_WRITES: every registration, cancellation and survey answer sent, and whether the portal
  acknowledged it (the page after the redirect confirmed it), to check none acknowledged is lost.

Requests carry X-Forwarded-Proto: https, as from the TLS proxy in front of production, and the
cookies, marked Secure by production's settings, are sent over this loopback HTTP."""

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path

from locust import HttpUser, between, events, task
from requests.cookies import RequestsCookieJar

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
WAIT = [float(s) for s in os.environ.get("LOADTEST_WAIT", "5,15").split(",")]
FRIENDLY_503 = "The portal is back in a moment"
REQUESTS: list[list] = []
WRITES: list[dict] = []
_members = itertools.count()
# Which page next is no secret: an ordinary random generator is right for it.
rng = random.Random()  # noqa: S311
_lock = threading.Lock()


@events.request.add_listener
def _record(
    request_type,
    name,
    response_time,
    response_length,
    response=None,
    exception=None,
    context=None,
    **kwargs,
):
    status = getattr(response, "status_code", 0) or 0
    friendly = bool(exception) and status == 503 and FRIENDLY_503 in (response.text or "")
    headers = getattr(response, "headers", None) or {}
    REQUESTS.append(
        [
            round(time.time() - response_time / 1000, 4),
            round(response_time, 1),
            name,
            status,
            bool(exception),
            friendly,
            headers.get("X-Served-By", ""),
            (context or {}).get("member", ""),
            str(exception)[:120] if exception else "",
        ]
    )


@events.quitting.add_listener
def _write(environment, **kwargs):
    Path(os.environ["LOADTEST_REQUESTS"]).write_text(json.dumps(REQUESTS))
    Path(os.environ["LOADTEST_WRITES"]).write_text(json.dumps(WRITES))


def alert(html: str) -> str:
    """The first message shown on a page (an alert or a form error), for the failure report."""
    found = re.search(
        r'class="(?:alert|invalid-feedback|errorlist)[^"]*"[^>]*>(.*?)</', html or "", re.S
    )
    return (
        " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())[:120] if found else "no message"
    )


class LoopbackCookieJar(RequestsCookieJar):
    """Keeps production's Secure cookies without the flag, so that they are sent back over the
    plain HTTP of loopback, which stands for the HTTPS of the proxy in production."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class Member(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        with _lock:
            self.me = PLAN["members"][next(_members) % len(PLAN["members"])]
        # Production marks its cookies Secure; here, HTTP on loopback stands for HTTPS.
        self.client.cookies = LoopbackCookieJar()
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "Origin": f"https://{self.host_port}"}
        )
        self.to_register = list(self.me["events"])
        rng.shuffle(self.to_register)
        self.registered: list[str] = []
        self.surveys = list(self.me["surveys"])
        self.signed_in = False
        self.sign_in()

    def context(self) -> dict:
        """Sent with every request event: whose request it was."""
        me = getattr(self, "me", None)
        return {"member": me["email"] if me else ""}

    @property
    def host_port(self) -> str:
        return self.host.split("://", 1)[1].rstrip("/")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def sign_in(self):
        if PLAN["sign_in"] == "session":  # --sign-in session: a session made beforehand
            self.client.cookies.set(*self.me["session"].split("=", 1))
            self.signed_in = True
            return
        self.client.get("/accounts/login/", name="sign-in form")
        with self.client.post(
            "/accounts/login/",
            data={
                "login": self.me["email"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": self.csrf(),
            },
            name="sign in",
            catch_response=True,
        ) as response:
            if response.ok and "/accounts/login/" not in response.url:
                self.signed_in = True
                response.success()
            elif response.ok:
                response.failure(f"still on the sign-in page: {alert(response.text)}")

    def get(self, path: str, name: str, **kwargs):
        """A page that needs the member signed in: landing on the sign-in page is a failure."""
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if response.ok and "/accounts/login/" in response.url:
                self.signed_in = False
                response.failure("signed out: sent to the sign-in page")
        return response

    # Reading -------------------------------------------------------------------------------------

    @task(2)
    def home(self):
        if not self.signed_in:
            return self.sign_in()
        self.get("/", "home")

    @task(3)
    def programme(self):
        if not self.signed_in:
            return self.sign_in()
        self.get("/programme/", "programme")

    @task(3)
    def event(self):
        if not self.signed_in:
            return self.sign_in()
        self.get(f"/events/{rng.choice(PLAN['events'])}/", "event")

    @task(2)
    def resource_hub(self):
        if not self.signed_in:
            return self.sign_in()
        self.get("/resources/", "resource hub")

    @task(2)
    def resource(self):
        if not self.signed_in:
            return self.sign_in()
        self.get(f"/resources/{rng.choice(PLAN['resources'])}/", "resource")

    @task(2)
    def search(self):
        if not self.signed_in:
            return self.sign_in()
        term = rng.choice(PLAN["search_terms"])
        self.get("/resources/search/", "search", params={"q": term})

    @task(1)
    def my_events(self):
        if not self.signed_in:
            return self.sign_in()
        self.get("/my-events/", "my events")

    # Writing -------------------------------------------------------------------------------------

    @task(2)
    def register_or_cancel(self):
        if not self.signed_in:
            return self.sign_in()
        # Cancel one place in three, when there is one to cancel; otherwise book a new one.
        if self.registered and (not self.to_register or rng.random() < 1 / 3):
            slug = self.registered.pop(rng.randrange(len(self.registered)))
            self.write(
                "cancel",
                slug,
                f"/events/{slug}/cancel/",
                {},
                "cancel",
                ("Your place is cancelled.", "You have left the waiting list."),
            )
            return
        if not self.to_register:
            return
        slug = self.to_register.pop()
        self.get(f"/events/{slug}/", "event")
        acknowledged = self.write(
            "register",
            slug,
            f"/events/{slug}/register/",
            {},
            "register",
            ("You are registered.", "you are on the waiting list"),
        )
        if acknowledged:
            self.registered.append(slug)

    @task(1)
    def answer_survey(self):
        if not self.signed_in:
            return self.sign_in()
        self.get("/surveys/", "surveys waiting")
        if not self.surveys:
            return
        survey = self.surveys.pop(0)
        path = f"/surveys/{survey['slug']}/"
        self.get(path, "survey form")
        self.write(
            "answer",
            survey["slug"],
            path,
            survey["answers"],
            "survey answer",
            ("Thank you",),
            thanks=f"{path}thanks/",
        )

    def write(self, kind, slug, path, data, name, confirmations, thanks=None) -> bool:
        """POST, follow the redirect, and count the write as acknowledged only when the page
        that follows confirms it."""
        record = {
            "kind": kind,
            "slug": slug,
            "email": self.me["email"],
            "sent": time.time(),
            "acknowledged": False,
        }
        WRITES.append(record)
        with self.client.post(
            path,
            data={**data, "csrfmiddlewaretoken": self.csrf()},
            name=name,
            catch_response=True,
        ) as response:
            text = response.text or ""
            confirmed = response.status_code == 200 and any(c in text for c in confirmations)
            if thanks is not None:
                confirmed = confirmed and response.url.endswith(thanks)
            if confirmed:
                record["acknowledged"] = True
                response.success()
            elif response.ok:
                response.failure(f"{name}: the page did not confirm it: {alert(text)}")
        record["answered"] = time.time()
        return record["acknowledged"]
