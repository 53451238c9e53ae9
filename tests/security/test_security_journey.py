"""Issue 5, "Secrets": a whole session, login to logout, never shows or stores a secret.

The session (the ``session`` fixture) runs once for this module with ``-v`` on every
command; the tests look at what it printed and what it left on disk.
"""

from __future__ import annotations

import pytest

COMMANDS = ["login", "whoami", "plan", "apply", "undo", "logout"]


def test_the_session_works_end_to_end(session):
    """A user logs in, plans, applies, undoes and logs out, and every command succeeds."""
    assert {name: run.exit_code for name, run in session.runs.items()} == dict.fromkeys(COMMANDS, 0)
    assert "sandbox-user" in session.runs["whoami"].stdout
    assert "Removed 22" in session.runs["apply"].stderr
    assert "Restored 22" in session.runs["undo"].stderr
    # The login's pair, then the refreshed one from `plan`: both must stay hidden.
    assert len(session.emulator.issued) == 2


def test_verbose_logs_really_were_on(session):
    """The -v runs log their requests, so the leak checks below read real logs."""
    assert "/oauth/device/token" in session.runs["login"].stderr
    assert "/oauth/token" in session.runs["plan"].stderr
    assert "/sync/history/remove" in session.runs["apply"].stderr
    assert "/oauth/revoke" in session.runs["logout"].stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_no_secret_is_printed(session, secrets_in, command):
    """Neither stdout nor stderr (with -v logs) shows a token, device code or client secret."""
    run = session.runs[command]
    assert secrets_in(run.output, session.emulator.secrets()) == []
    assert "Bearer" not in run.output


def test_plan_file_and_journals_hold_no_secret(session, secrets_in):
    """The saved plan, the apply journal and the undo journal carry no secret."""
    known = session.emulator.secrets()
    written = {
        name: secrets_in(text, known)
        for name, text in session.files["undo"].items()
        if name.startswith("work/")
    }
    assert written == {
        "work/aos.plan.json": [],
        "work/aos.plan.json.journal": [],
        "work/aos.plan.json.undo.journal": [],
    }


def test_only_the_token_file_ever_holds_tokens(session, secrets_in):
    """Apart from token.json, no file present at any point of the session holds a secret."""
    known = session.emulator.secrets()
    found = {
        f"{name} (after {command})": secrets_in(text, known)
        for command, files in session.files.items()
        for name, text in files.items()
        if name != "config/token.json"
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


def test_token_file_holds_the_live_pair_but_not_the_client_secret(session):
    """token.json holds the current pair (so the scans do recognise tokens), never the secret."""
    after_plan = session.files["plan"]["config/token.json"]
    refreshed = session.emulator.issued[1]
    assert refreshed["access_token"] in after_plan
    assert refreshed["refresh_token"] in after_plan
    assert session.emulator.client_secret not in after_plan


def test_login_makes_the_config_dir_and_token_file_private(session):
    """After login the config dir is 0700 (it was 0755) and token.json is 0600."""
    assert session.modes["login"] == (0o700, 0o600)


def test_a_refreshed_pair_is_saved_private_too(session):
    """The pair rotated during `plan` is written with the same modes."""
    assert session.modes["plan"] == (0o700, 0o600)


def test_logout_deletes_the_token_and_revokes_it(session):
    """After logout the token file is gone and Trakt no longer accepts the last token."""
    assert session.modes["logout"] == (0o700, None)
    assert session.revoked
