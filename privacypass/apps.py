from django.apps import AppConfig


class PrivacypassConfig(AppConfig):
    name = "privacypass"
    verbose_name = "Anonymous tokens"
