from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from cop_portal.background import views as background
from cop_portal.mail import views as mail
from cop_portal.web import health

# The admin has no sign-in form of its own: it uses the portal's (allauth's), so its rate
# limits, email verification and MFA apply to the admin too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("", include("resources.urls")),
    path("", include("surveys.urls")),
    path("organise/email/", mail.outgoing_email, name="outgoing_email"),
    path("organise/email/retry/", mail.outgoing_email_retry, name="outgoing_email_retry"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
    path("health/live/", health.liveness, name="liveness"),
    path("health/schedules/", background.schedules_health, name="schedules_health"),
]
