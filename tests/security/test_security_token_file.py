"""Issue 5, "Secrets": the token file's permissions, and TRAKT_ACCESS_TOKEN never on disk."""

from __future__ import annotations

import os
import stat


def test_a_token_file_readable_by_others_warns_but_still_works(emulator, invoke, tmp_path):
    """A token.json someone made 0644 gets a warning naming the fix, and the command still runs."""
    config_dir = tmp_path / "config"
    emulator.save_token(config_dir)
    token_path = config_dir / "token.json"
    os.chmod(token_path, 0o644)
    run = invoke("whoami", env=emulator.env(config_dir))
    assert run.exit_code == 0, run.stderr
    assert "sandbox-user" in run.stdout
    assert "Warning:" in run.stderr
    assert "can be read by other users" in run.stderr
    assert f"chmod 600 {token_path}" in run.stderr


def test_a_private_token_file_gets_no_warning(emulator, invoke, tmp_path):
    """The 0600 file login writes is used without any warning."""
    config_dir = tmp_path / "config"
    emulator.save_token(config_dir)
    assert stat.S_IMODE((config_dir / "token.json").stat().st_mode) == 0o600
    run = invoke("whoami", env=emulator.env(config_dir))
    assert run.exit_code == 0, run.stderr
    assert "Warning" not in run.stderr


def test_an_access_token_from_the_environment_is_never_written(
    emulator, invoke, tmp_path, secrets_in, files_under, plan_yaml
):
    """With TRAKT_ACCESS_TOKEN set, plan/apply/undo and the sandbox write no file containing it."""
    config_dir = tmp_path / "config"
    work = tmp_path / "work"
    work.mkdir()
    token = emulator.issue_token()
    env = {
        "TRAKT_PLAN_CONFIG_DIR": str(config_dir),
        "TRAKT_API_BASE": emulator.base_url,
        "TRAKT_CLIENT_ID": emulator.client_id,
        "TRAKT_ACCESS_TOKEN": token.access_token,
    }
    plan_path = str(work / "aos.plan.json")
    runs = [
        invoke("whoami", env=env),
        invoke("history", "all", "--json", env=env),
        invoke("plan", str(plan_yaml), "-o", plan_path, env=env),
        invoke("apply", plan_path, "--yes", env=env),
        invoke("undo", plan_path, "--yes", env=env),
        # The sandbox keeps its own account and token under the config dir: the real
        # account's token must not end up there either.
        invoke("--sandbox", "whoami", env=env),
        invoke("--sandbox", "plan", str(plan_yaml), env=env),
        invoke("logout", env=env),
    ]
    assert [run.exit_code for run in runs] == [0] * len(runs), [run.stderr for run in runs]
    assert "Removed 22" in runs[3].stderr
    known = {"TRAKT_ACCESS_TOKEN": token.access_token}
    config_files = files_under(config_dir)
    # The sandbox's state and token files: the scan below does read real files.
    assert sorted(config_files) == ["sandbox/state.json", "sandbox/token.json"]
    written = {**config_files, **files_under(work)}
    assert {name: secrets_in(text, known) for name, text in written.items()} == {
        name: [] for name in written
    }
    assert not (config_dir / "token.json").exists()
    assert all(secrets_in(run.output, known) == [] for run in runs)
