"""The REST API for newsroom tools: the admin's powers over HTTP, through the same commands.

Token admin lives in ``liveblog.api.admin``; ``liveblog.admin`` imports it so that admin
autodiscovery (which only loads ``<app>.admin``) registers it.
"""
