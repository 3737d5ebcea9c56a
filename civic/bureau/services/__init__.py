"""The bureau's use cases. Services flush and never commit (the backlog sweep and the anonymiser commit per chunk
through a callback, which is their purpose); they raise DomainError subclasses with translated messages."""
