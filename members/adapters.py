from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from cop_portal.mail.messages import KIND_HEADER, PRIORITY_HEADER
from cop_portal.mail.models import PRIORITY_ACCOUNT
from cop_portal.web.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """New joiners go straight on to their profile, the next step of joining, however they
    arrive: by signing in, or by the sign-in that follows verifying their email."""

    def login(self, request, user):
        """Every sign-in, whichever backend checked the password (or none: a verified email, a
        Microsoft account), records the portal's own in the session, which keeps the signed-in
        member between requests (members.caching)."""
        user.backend = settings.AUTHENTICATION_BACKENDS[0]
        super().login(request, user)

    def get_login_redirect_url(self, request):
        user = request.user
        if user.is_authenticated and user.profile_completed_at is None:
            return reverse("members:profile_edit")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's emails (verification links, password resets, sign-in notices) go first
        in the outbox's order of need: someone is waiting for them on a screen. Their kind is
        allauth's template, for the Outgoing email page."""
        headers = {
            KIND_HEADER: template_prefix,
            PRIORITY_HEADER: str(PRIORITY_ACCOUNT),
            **(headers or {}),
        }
        return super().render_mail(template_prefix, email, context, headers=headers)

    def get_client_ip(self, request):
        """The portal's reading of the client's address (cop_portal.web.client_ip), so that sign-in
        limits count each person behind a proxy apart, as the audit trail does. allauth's own
        raises an error when X-Forwarded-For has fewer hops than proxies."""
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def save_user(self, request, user, form, commit=True):
        """Someone imported from a spreadsheet who signs up with the same email takes over
        that record, keeping its name, organisation and joining date, and only gains a
        password, instead of becoming a second member. (`members.forms.accounts.SignupForm` lets
        their email through; verifying it is still required before they can sign in.)"""
        from .forms.accounts import SignupForm
        from .selectors.accounts import imported_member_for_email

        imported = None
        # Only this form lets an imported member's email through; a social sign-up saves its
        # own user object whatever this returns, so it must never be handed another record.
        if isinstance(form, SignupForm):
            imported = imported_member_for_email(form.cleaned_data.get("email") or "")
        return super().save_user(request, imported or user, form, commit=commit)


class NoSocialApp(SocialApp.DoesNotExist, Http404):
    """No sign-in app is configured for this provider. Still a SocialApp.DoesNotExist for
    allauth's own code, and a 404 for anyone who opens the provider's address: allauth's
    answer, an uncaught DoesNotExist, was a server error."""


class MFAAdapter(DefaultMFAAdapter):
    """Whoever must use MFA (members.middleware.mfa_required) cannot turn it off."""

    # The portal calls it two-step sign-in everywhere; allauth's messages say two-factor.
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "add_email_blocked": "You cannot add an email address to an account with two-step sign-in.",
        "cannot_generate_recovery_codes": "Set up two-step sign-in before making recovery codes.",
        "unverified_email": "Verify your email address before you set up two-step sign-in.",
        "cannot_delete_authenticator": (
            "Your role needs two-step sign-in, so it must stay turned on. If you have a new "
            "phone, an administrator can reset it for you."
        ),
    }

    def can_delete_authenticator(self, authenticator):
        from .middleware import mfa_required

        if authenticator.type == Authenticator.Type.TOTP and mfa_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request, provider, client_id=None):
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise NoSocialApp("Signing in with this provider is not set up here.") from None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        full_name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.name = (full_name or "").strip()
        return user


def user_display(user):
    return user.name or user.email
