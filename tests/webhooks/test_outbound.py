"""The outbound client: private addresses refused when connecting, no redirects followed,
answers bounded in time and size. Only 127.0.0.1 receives anything here."""

from __future__ import annotations

import ipaddress
import time
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from liveblog.webhooks import outbound
from liveblog.webhooks.outbound import Sender, address_refusal, is_public_address
from tests.webhooks.receivers import Receiver

HEADERS = {"webhook-id": "msg_1_1", "webhook-timestamp": "1", "webhook-signature": "v1,x"}


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata endpoints
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fd00:ec2::254",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))
    assert address_refusal(address, allow_private=False)
    assert address_refusal(address, allow_private=True) is None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1::1"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))
    assert address_refusal(address, allow_private=False) is None


def test_names_are_checked_when_connecting_except_this_machine_s() -> None:
    assert address_refusal("partner.example", allow_private=False) is None
    assert address_refusal("localhost", allow_private=False) == "localhost is this machine"
    assert address_refusal("api.localhost.", allow_private=False)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_name_or_address_that_is_private_is_refused_before_any_connection(
    receiver: Receiver, host: str
) -> None:
    sender = Sender(timeout=2, allow_private=False)
    try:
        answer = sender.post(receiver.url.replace("127.0.0.1", host), b"{}", HEADERS)
    finally:
        sender.close()
    assert not answer.delivered and answer.status is None
    assert answer.error.startswith(f"refused: {host} resolves to ")
    assert "not a public internet address" in answer.error
    assert receiver.received == []


def test_redirects_are_not_followed(receiver: Receiver, sender: Sender) -> None:
    elsewhere = Receiver().start()
    try:
        receiver.status = 307
        receiver.headers = {"Location": elsewhere.url}
        answer = sender.post(receiver.url, b"{}", HEADERS)
    finally:
        elsewhere.stop()
    assert not answer.delivered and answer.status == 307
    assert answer.error == (
        f"HTTP 307: redirects are not followed; register the address it points to ({elsewhere.url})"
    )
    assert elsewhere.received == []


def test_a_huge_answer_is_not_read_to_the_end(receiver: Receiver, sender: Sender) -> None:
    receiver.answer = b"x" * (20 * 1024 * 1024)
    started = time.monotonic()
    answer = sender.post(receiver.url, b"{}", HEADERS)
    assert answer.delivered and answer.status == 200
    assert time.monotonic() - started < 2

    receiver.status = 500
    failed = sender.post(receiver.url, b"{}", HEADERS)
    assert failed.error == "HTTP 500: " + "x" * outbound.ERROR_EXCERPT_CHARACTERS


def test_a_refused_connection_is_a_failure_with_a_reason(sender: Sender) -> None:
    down = Receiver()  # never started
    answer = sender.post(down.url, b"{}", HEADERS)
    assert answer.status is None and answer.error.startswith("could not connect")


def test_the_request_is_a_json_post_with_the_given_headers(
    receiver: Receiver, sender: Sender
) -> None:
    assert sender.post(receiver.url, b'{"seq":1}', HEADERS).delivered
    [request] = receiver.received
    assert request.body == b'{"seq":1}' and request.path == "/hooks/live"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == outbound.USER_AGENT
    assert {key: request.headers[key] for key in HEADERS} == HEADERS


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    later = timezone.now() + timedelta(seconds=90)
    assert outbound._retry_after("120") == 120
    assert 85 <= (outbound._retry_after(format_datetime(later, usegmt=True)) or 0) <= 90
    assert outbound._retry_after("²") is None
    assert outbound._retry_after("soon") is None
    assert outbound._retry_after(None) is None
