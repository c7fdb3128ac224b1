from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "cop_portal.mail"
    label = "mail"
    verbose_name = "Outgoing email"
