"""Property tests check what a function returns, never how fast: no per-example deadline, which a
loaded CI machine would turn into failures."""

from hypothesis import settings

settings.register_profile("no_deadline", deadline=None)
settings.load_profile("no_deadline")
