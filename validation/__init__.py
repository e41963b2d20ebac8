"""The rule catalogue and the static pandera schemas of xlperf's returns.

This folder is the package ``xlperf.catalogue`` once installed (``pyproject.toml`` maps it), so
the catalogue is found with ``importlib.resources.files("xlperf.catalogue")`` from a source
checkout and from an installed wheel alike. ``rules.csv`` is the contract: every finding a
return can get has its id, severity, title, message template and how-to-fix here (see
``README.md`` beside it). Load it with :func:`xlperf.validate.catalogue.load_rules`.

Importing this package imports nothing heavy; :mod:`xlperf.catalogue.schemas` imports pandera
and is imported only by the validator, when it runs.
"""
