from django.apps import AppConfig


class OaipmhConfig(AppConfig):
    name = "oaipmh"
    verbose_name = "OAI-PMH provider"
