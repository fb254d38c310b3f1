from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Who is involved: organization units, people, partner accounts, agreements."""

    name = "partners"
    verbose_name = "Partners"
