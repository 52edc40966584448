"""Locale formats Django does not ship: Armenian (``hy``) dates and numbers, as CLDR writes them."""
