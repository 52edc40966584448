"""Settlement readiness: are the conditions for return met, why not, and when are they expected to be.

Pure and typed: plain inputs (:mod:`.inputs`, :mod:`.projects`) and a criteria set
(:mod:`.criteria`, configuration rather than code) go in; one :class:`Readiness` per settlement,
with every criterion's outcome, evidence and expected date, comes out. Reach, roads and expected
households are interfaces (:mod:`.reach`, :mod:`.roads`, :mod:`.households`) whose defaults —
straight lines, no road network, pre-conflict households — later implementations replace without
changing callers.
"""

from homeward.engines.readiness.assessment import Assessment
from homeward.engines.readiness.criteria import (
    CriteriaError,
    CriteriaSet,
    Criterion,
    HousingParams,
    Params,
    ReachParams,
    ResidentialAreaParams,
    RoadParams,
    ServiceParams,
    StatusRule,
    default_criteria,
    load_criteria,
)
from homeward.engines.readiness.evaluate import affected_by_hazards, assess, evaluate, input_digest
from homeward.engines.readiness.households import ExpectedHouseholds, PreConflictHouseholds
from homeward.engines.readiness.inputs import (
    DateArray,
    Facilities,
    FloatArray,
    Hazards,
    Housing,
    IndexArray,
    InputError,
    Services,
    Settlements,
    date_array,
    expected_clearance,
)
from homeward.engines.readiness.messages import MESSAGES, Message, describe
from homeward.engines.readiness.projects import AgencyDelays, Project, Projects, Restore, agency_delays
from homeward.engines.readiness.reach import Nearest, Reach, ReachUnit, StraightLineReach
from homeward.engines.readiness.results import CriterionResult, Evidence, Outcome, Readiness, Status
from homeward.engines.readiness.roads import NoRoadNetwork, RoadNetwork, RouteCheck
from homeward.engines.readiness.vocabulary import ProjectStatus, ServiceKind, ServiceStatus
from homeward.engines.readiness.whatif import with_hazard_cleared, with_hazard_geometry, with_project_delay

__all__ = [
    "MESSAGES",
    "AgencyDelays",
    "Assessment",
    "CriteriaError",
    "CriteriaSet",
    "Criterion",
    "CriterionResult",
    "DateArray",
    "Evidence",
    "ExpectedHouseholds",
    "Facilities",
    "FloatArray",
    "Hazards",
    "Housing",
    "HousingParams",
    "IndexArray",
    "InputError",
    "Message",
    "Nearest",
    "NoRoadNetwork",
    "Outcome",
    "Params",
    "PreConflictHouseholds",
    "Project",
    "ProjectStatus",
    "Projects",
    "Reach",
    "ReachParams",
    "ReachUnit",
    "Readiness",
    "ResidentialAreaParams",
    "Restore",
    "RoadNetwork",
    "RoadParams",
    "RouteCheck",
    "ServiceKind",
    "ServiceParams",
    "ServiceStatus",
    "Services",
    "Settlements",
    "Status",
    "StatusRule",
    "StraightLineReach",
    "affected_by_hazards",
    "agency_delays",
    "assess",
    "date_array",
    "default_criteria",
    "describe",
    "evaluate",
    "expected_clearance",
    "input_digest",
    "load_criteria",
    "with_hazard_cleared",
    "with_hazard_geometry",
    "with_project_delay",
]
