"""Stakeholders: a reusable register per territory and, per owner (an initiative, …: ``owner_type``/``owner_id``),
the seed's interest × influence mapping into four groups, with re-assessments kept as history and an engagement
plan per group."""
