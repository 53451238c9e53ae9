"""Notifications: every URL told once, in Markdown; a failing service reported, never raised."""

from __future__ import annotations

import socket

from trakt_plan.notify import notify_urls, split_urls

BODY = "**3 plays** to remove\n\n| id | episode |\n|---|---|\n| 1 | S01E01 |"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_url_gets_the_markdown_body_once(webhook):
    """Two webhook URLs each receive the title and the Markdown body exactly once."""
    failures = notify_urls(
        [webhook.url("one"), webhook.url("two")], title="trakt-plan guard", body=BODY
    )
    assert failures == []
    assert webhook.messages("one") == [BODY]
    assert webhook.messages("two") == [BODY]
    assert {r.body["title"] for r in webhook.received} == {"trakt-plan guard"}


def test_a_url_given_twice_is_notified_once(webhook):
    """The same URL from the flag and from TRAKT_PLAN_NOTIFY makes one notification."""
    urls = split_urls([webhook.url()], f"  {webhook.url()}  {webhook.url('other')} ")
    assert urls == [webhook.url(), webhook.url("other")]
    assert notify_urls([*urls, webhook.url()], title="t", body="b") == []
    assert [r.path for r in webhook.received] == ["/hook", "/other"]


def test_no_urls_notifies_nothing():
    """Without flags or the variable there is nothing to send and nothing fails."""
    assert split_urls([], None) == []
    assert notify_urls([], title="t", body="b") == []


def test_a_failing_service_is_reported_and_the_others_still_notified(webhook):
    """A refused notification comes back as a line naming its URL; the next URL still gets its."""
    dead = f"json://127.0.0.1:{_closed_port()}/hook"
    failures = notify_urls([dead, webhook.url()], title="t", body="b", kind="failure")
    assert len(failures) == 1
    assert failures[0].startswith("json://127.0.0.1:")
    assert webhook.messages() == ["b"]
    assert webhook.received[0].body["type"] == "failure"


def test_an_error_status_names_the_url_without_its_password(webhook):
    """A service answering 500 is a failure line that masks the URL's password."""
    webhook.status = 500
    url = f"json://guard:hunter2@127.0.0.1:{webhook.port}/hook"
    failures = notify_urls([url], title="t", body="b")
    assert len(failures) == 1
    assert "hunter2" not in failures[0]
    assert "500" in failures[0]


def test_an_unknown_scheme_is_a_clear_line_not_a_traceback():
    """A URL Apprise cannot read is named by scheme and host only, with the reason."""
    failures = notify_urls(["nosuchservice://token123@example.invalid/x"], title="t", body="b")
    assert failures == [
        "nosuchservice://example.invalid/...: not a notification URL Apprise knows "
        "(see its wiki for schemes)"
    ]
