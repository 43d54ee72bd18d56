"""Storage of episodes and claims: SQLAlchemy models, sessions, query functions and search."""
