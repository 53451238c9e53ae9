"""Text in a plan that no terminal or file can hold is refused at load time, with a position."""

from __future__ import annotations

import pytest

from trakt_plan.errors import SpecError
from trakt_plan.spec.load import load_spec_text

RULES = "rules:\n  - name: a\n    show: 1394\n    drop: {same_timestamp: 3}\n"


def test_a_lone_surrogate_in_a_value_is_refused_where_it_stands():
    """A `\\ud800` escape cannot be saved or printed, so the loader refuses it at its line."""
    text = 'version: 1\ndescription: "\\ud800 x"\n' + RULES
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "plan.yaml")
    assert caught.value.line == 2
    assert "surrogate" in str(caught.value)


def test_a_key_with_control_characters_is_shown_escaped_on_one_line():
    """An unknown key holding a newline or an escape sequence is echoed escaped, never raw."""
    text = 'version: 1\n"bad\\nkey\\e[31m": 1\n' + RULES
    with pytest.raises(SpecError) as caught:
        load_spec_text(text, "plan.yaml")
    message = str(caught.value)
    assert "\n" not in message
    assert "\x1b" not in message
    assert "bad\\nkey" in message
