"""Webhooks: a blog's public events POSTed to partners' URLs, signed, in seq order, at least once.

- ``models``         Webhook (a subscriber with its own cursor in the log) and its delivery log
- ``subscriptions``  register, change, pause, resume and remove subscribers (API and admin)
- ``signing``        secrets and Standard Webhooks signatures
- ``outbound``       the HTTP client: private addresses refused, timeouts, no redirects
- ``delivery``       one event to one subscriber: claim, send, move the cursor or back off
- ``worker``         the async runner that finds subscribers with events to deliver
- ``api``, ``admin`` the editors' screens over HTTP and in the admin

The log is the queue: nothing is enqueued when an event is appended, so a publish never waits
for a subscriber.
"""
