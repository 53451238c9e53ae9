"""What every test ring shares: emulators on loopback, the command line, fakes of Trakt.

Test modules and conftests import it as ``tests.support`` (pytest's ``pythonpath``
setting puts the repository's root on ``sys.path``; ``--import-mode=importlib`` alone
would not).
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
