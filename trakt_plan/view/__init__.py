"""The plan as people review it: one value (:mod:`.plan`) and renderings beside it.

:func:`trakt_plan.view.plan.plan_view` builds a :class:`~trakt_plan.view.plan.PlanView`
from a saved plan alone, so ``plan`` and ``show PLANFILE`` render the same bytes. Each
rendering takes that value and computes nothing: :mod:`.text` (the terminal; with
``ui.py`` the only rich user), :mod:`.jsondoc`, :mod:`.markdown` and :mod:`.html` (with
the :mod:`.timeline` picture); :mod:`.formats` lists them. This file imports nothing, so
the lower layers never load a renderer by accident.
"""
