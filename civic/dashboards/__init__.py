"""The akimat's dashboards and the public accountability page: figures every module declares in its
``indicators.MEASURES`` (docs/dashboards.md), rolled up the territory tree by ``flask dashboards refresh``."""
