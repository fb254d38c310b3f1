from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    """Why an action exists and what it does: authorities, analyses, impacts, risks."""

    name = "analysis"
    verbose_name = "Analysis"
