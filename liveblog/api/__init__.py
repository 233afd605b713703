"""The REST API for newsroom tools: the admin's powers over HTTP, through the same commands.

Editors create and revoke their tokens in the admin (``liveblog.admin.tokens``).
"""
