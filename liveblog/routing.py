from django.urls import path

from liveblog.consumers import BlogConsumer

websocket_urlpatterns = [
    path("ws/blogs/<slug:slug>/", BlogConsumer.as_asgi()),
]
