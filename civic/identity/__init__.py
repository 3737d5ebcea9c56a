"""The identity layer shared by every module: accounts, verification, roles, directory, audit, notifications."""
