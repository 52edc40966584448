"""What a geometry problem found by ``engines.geo`` means, in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from homeward.engines.geo import Problem, ProblemCode


def describe_problem(problem: Problem) -> str:
    messages = {
        ProblemCode.EMPTY: _("the geometry is empty"),
        ProblemCode.WRONG_TYPE: _("the geometry has the wrong type"),
        ProblemCode.NON_FINITE: _("the geometry has coordinates that are not numbers"),
        ProblemCode.SELF_INTERSECTION: _("the polygon intersects itself"),
        ProblemCode.WRONG_RING_ORDER: _("the polygon's rings were in the wrong order (repaired)"),
        ProblemCode.TOO_MANY_VERTICES: _("the polygon has too many vertices"),
        ProblemCode.OUT_OF_BOUNDS: _("the geometry lies far outside the deployment's area (wrong CRS?)"),
        ProblemCode.SWAPPED_AXES: _("the coordinates look swapped: latitude given before longitude"),
        ProblemCode.UNCLOSED_OR_DUPLICATE_POINTS: _("repeated consecutive points were removed"),
    }
    text = messages.get(problem.code, str(problem.code))
    return f"{text} ({problem.detail})" if problem.detail else text
