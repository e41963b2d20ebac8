"""Settings for the whole suite."""

from hypothesis import settings

# Hypothesis' per-example deadline is a timed assertion: on a loaded 2-core CI machine an
# example can take 0.5 s without anything being wrong. Laws are checked, not speed (speed is
# measured by benchmarks/); examples stay bounded by max_examples.
settings.register_profile("xlperf", deadline=None)
settings.load_profile("xlperf")
