from homeward.core.navigation import register_counter
from homeward.core.permissions import Domain
from homeward.recovery import selectors

register_counter(Domain.RECOVERY, "projects", selectors.count_projects)
