"""A local Trakt API emulator: a real HTTP server on 127.0.0.1.

For tests, benchmarks and ``--sandbox``.

It follows ``trakt-api.md``: required headers, bearer tokens, the device flow and
single-use refresh tokens, paginated history newest first, ``/sync/history/remove`` by
play ids or items, adds without de-duplication, ``last_activities``, search and lookups,
per-user write pacing and GET windows with 429s, and injectable latency, errors, storms
and dropped connections (:class:`Knobs`). Only the CLI's ``--sandbox`` path, tests and
benchmarks import this package; it needs httpx only for :meth:`SandboxServer.mock_transport`.

Typical use::

    with SandboxServer(knobs=Knobs(write_interval=0.05)) as server:
        token = server.state.issue_token()
        ...  # talk to server.base_url with client id SANDBOX_CLIENT_ID
"""

from trakt_plan.sandbox.demo import demo_state
from trakt_plan.sandbox.generate import generate_state
from trakt_plan.sandbox.knobs import Knobs, ServerStats
from trakt_plan.sandbox.server import SandboxServer
from trakt_plan.sandbox.state import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SandboxState
from trakt_plan.sandbox.wire import ConnectionDropped, Reply

__all__ = [
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "ConnectionDropped",
    "Knobs",
    "Reply",
    "SandboxServer",
    "SandboxState",
    "ServerStats",
    "demo_state",
    "generate_state",
]
