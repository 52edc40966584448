"""Matching people and places across spellings, scripts and languages."""
