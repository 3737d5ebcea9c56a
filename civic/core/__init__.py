"""Shared building blocks used by every module: errors, forms, HTTP helpers, i18n, mail, signals, rich text."""
