"""Initiatives: the workspace where an akimat works a local problem through the seed's 10-step algorithm, with its
indicators (values per territory and period, rolled up rural district → district → oblast → republic), targets,
decisions, "weak spots" reports sent upward, and the seed's 45 cases as templates."""
