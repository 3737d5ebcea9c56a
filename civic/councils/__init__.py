"""Public councils and expert panels: members and invited experts, open meetings with quorum and recorded votes,
and recommendations that the competent state body must answer on the legal clock (docs/councils.md)."""
