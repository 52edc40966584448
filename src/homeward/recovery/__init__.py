"""Recovery: services and infrastructure per settlement, and the reconstruction projects restoring them."""
