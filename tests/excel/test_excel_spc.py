"""XLPERF.VARIATION and XLPERF.ASSURANCE through xlwings' custom-function machinery (issue 23).

The same definitions serve the desktop add-in, xlwings Lite and the server (see
test_excel_routes.py); here each call goes through ``xlwings.server.custom_functions_call``
exactly as from Excel, and the result is compared with the core's own answer."""

from __future__ import annotations

from xlperf.core.spc import assurance, variation

# Making Data Count's worked examples (see tests/test_spc.py for their source).
MDC_LIMITS = [20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18]
MDC_ICONS = [16, 20, 22, 18, 21, 18, 26, 28, 24, 26, 19, 18, 25, 32, 43, 28, 22]
N = None


def column(*values):
    return [[v] for v in values]


def test_meta_lists_both_functions_with_arguments_and_help(xl):
    meta = {f["name"]: f for f in xl.meta()["functions"]}
    assert [p["name"] for p in meta["XLPERF.VARIATION"]["parameters"]] == [
        "values", "polarity", "explain"]
    assert [p["name"] for p in meta["XLPERF.ASSURANCE"]["parameters"]] == [
        "values", "target", "polarity", "explain"]
    for name in ("XLPERF.VARIATION", "XLPERF.ASSURANCE"):
        assert meta[name]["parameters"][-1]["optional"] is True
        assert all(len(p["description"]) <= 255 for p in meta[name]["parameters"])


def test_variation_of_a_column_or_a_row_equals_the_core(xl):
    for last, polarity in ((45, "High"), (25, "Bigger is better"), (5, "Low")):
        history = MDC_ICONS + [last]
        expected = variation(history, polarity)
        assert xl("XLPERF_VARIATION", column(*history), polarity, N) == [[expected]]
        assert xl("XLPERF_VARIATION", [history], polarity, N) == [[expected]]
    assert xl("XLPERF_VARIATION", column(*MDC_ICONS, 45), "High", N) == [[
        "Special cause of improvement"]]


def test_a_table_spills_one_cell_per_measure_and_bad_rows_only_marked(xl):
    table = [MDC_ICONS + [45], MDC_ICONS + [5], [N] * 18, MDC_ICONS[:10] + [N] * 8,
             MDC_ICONS + ["TBC"]]
    polarity = column("High", "High", "High", "Smaller is better", "sideways")
    result = xl("XLPERF_VARIATION", table, polarity, N)
    assert result[:4] == [["Special cause of improvement"], ["Special cause of concern"], [""],
                          ["Not enough data"]]
    assert result[4][0].startswith("polarity 'sideways' is not one of")
    said = xl("XLPERF_VARIATION", table[:2], "High", True)
    assert said == [["period 18: 45 is above the upper process limit 42.1: special cause of "
                     "improvement"],
                    ["period 18: 5 is below the lower process limit 6.7: special cause of "
                     "concern"]]


def test_assurance_equals_the_core_with_one_or_profiled_targets(xl):
    for target, polarity in ((40, "High"), (30, "High"), (5, "High"), (40, "Low")):
        expected = assurance(MDC_LIMITS, target, polarity)
        assert xl("XLPERF_ASSURANCE", column(*MDC_LIMITS), target, polarity, N) == [[expected]]
    profiled = [50] * 14 + [5]
    assert xl("XLPERF_ASSURANCE", column(*MDC_LIMITS), column(*profiled), "High", N) == [[
        "Consistently passing"]]
    assert xl("XLPERF_ASSURANCE", [MDC_LIMITS, MDC_LIMITS], column(40, 5), "High", True) == [
        ["target 40 is at or above the upper process limit 37.6, bigger is better: "
         "consistently failing"],
        ["target 5 is at or below the lower process limit 8.8, bigger is better: "
         "consistently passing"]]
    assert xl("XLPERF_ASSURANCE", column(*MDC_LIMITS), N, "High", N) == [["No target"]]
    assert xl("XLPERF_ASSURANCE", column(*MDC_LIMITS[:9]), 30, "High", N) == [[
        "Not enough data"]]


def test_ranges_that_do_not_line_up_are_a_sentence(xl):
    assert xl("XLPERF_ASSURANCE", column(*MDC_LIMITS), column(1, 2, 3), "High", N) == [[
        "3 rows x 1 columns cannot be lined up with 1 measure of 15 periods: give one cell, "
        "one per measure, or (a target) one per period"]]
