"""The scoring core: pure functions over values and DataFrames, no I/O, no Excel libraries.

One file per rule, so each is easy to find: ``periods`` (financial-year periods), ``values``
(messy cells to numbers or no-data reasons), ``polarity``, ``schemes`` (status schemes as data),
``status`` (the status rule and its explanation), ``variance``, ``direction`` (direction of
travel and trend), ``targets`` (profiling), ``budget`` (revenue and capital), ``rollup``
(objective judgements), ``measures`` (the register), ``score`` (all of it, per measure) and
``spc`` (statistical process control: XmR limits, variation and assurance).
"""
