"""Benchmark: validating a 1,000-measure return beside python-calamine merely reading it, in the
same run; then a batch of 40 returns.

    python benchmarks/validate.py [--measures 1000] [--batch 40] [--repeat 15]

Builds (in a temporary folder) a master with one service of ``--measures`` quarterly measures
(percentages, counts, rates, days), its template for Q2 2013/14 and a filled return in which
about 5% of the rows hold a mistake (TBC, words, an Excel error, out of range, a fraction for a
percentage, a bad status word, a formula-like commentary, an unknown code, numerator and
denominator that disagree, a missing actual). Times are the best of ``--repeat`` runs, the
read and the validation taking turns:

- bare read: ``CalamineWorkbook.from_path`` and ``to_python()`` of every sheet;
- validate: ``xlperf.validate_return(path, master=...)`` with the master already read (as in a
  refresh, which reads the master once), every check included: file safety, identity, layout,
  locked cells, the pandera pass and the other content checks;
- a plain pandera schema: ``pandas.read_excel`` of the return sheet and the static performance
  schema (the register's codes, lazy), the baseline the issue measured at about 4x;
- validate, pandera costing nothing: the same call with the pandera pass's failure cases
  handed back from the first run (every other step real): what the rest of the validator
  costs, the floor under the ratio while pandera validates each return;
- pandera alone: a lazy pass over a frame of as many rows with 0 to 4 failing checks, to
  show the fixed cost pandera adds per kind of mistake (it builds failure cases per failing
  check, however few rows fail), with plain checks and with xlperf's ``RowRule``;
- batch: ``xlperf.validate_returns`` over ``--batch`` returns beside reading each of them.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

UNITS = ("%", "number", "rate per 10,000", "days")


def build(folder: Path, measures: int) -> tuple[Path, Path, int]:
    """The master and one filled return with about 5% of rows wrong; returns (master,
    return, rows made wrong)."""
    from openpyxl import load_workbook

    from xlperf import demo
    from xlperf.write.master import build_master
    from xlperf.write.templates import build_templates, fill_return

    rows = []
    for i in range(measures):
        rows.append((f"BIG{i:04d}", f"Measure {i}", demo.P2, demo.OBJECTIVES["p2o1"],
                     "Big Service", "Owner", "Bigger is better" if i % 3 else
                     "Smaller is better", UNITS[i % 4], "Quarterly", "rag", 2, "absolute",
                     "Previous period", 50, "No", None, "", "No"))
    register = pd.DataFrame(rows, columns=list(demo.REGISTER_COLUMNS))
    master = build_master(folder / "master.xlsx", register=register,
                          settings=demo.demo_settings())
    info = build_templates(master, "Q2 2013/14", folder / "templates")[0]
    rng = np.random.default_rng(1)
    values = pd.DataFrame({"Code": register["Code"], "Period": "Q2 2013/14",
                           "Actual": np.round(rng.uniform(48, 60, measures)),
                           "Commentary": "Checked."})
    path = fill_return(info.path, values, folder / "returns" / info.path.name)
    wb = load_workbook(path)
    ws = wb["Return"]
    mistakes = ["TBC", "about 50", "#DIV/0!", 150, 0.5, "Pink", "+ve", "BIGX", "ratio", None]
    wrong = 0
    for n, row in enumerate(range(13, 13 + measures, 20)):  # one row in 20: 5%
        mistake = mistakes[n % len(mistakes)]
        if mistake == "Pink":
            ws.cell(row, 11).value = "Pink"
        elif mistake == "+ve":
            ws.cell(row, 12).value = "+ve trend"
            ws.cell(row, 12).data_type = "s"
        elif mistake == "BIGX":
            ws.cell(row, 1).value = "BIGX" + str(row)
        elif mistake == "ratio":
            ws.cell(row, 9).value, ws.cell(row, 10).value = 10, 40
        elif mistake == 0.5:
            ws.cell(row, 8).value = 0.5 if ws.cell(row, 3).value == "%" else 5000
        else:
            ws.cell(row, 8).value = mistake
        wrong += 1
    wb.save(path)
    return master, path, wrong


def bare_read(path: Path) -> None:
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def best_interleaved(fns: list, repeat: int) -> list[float]:
    """The best time of each of ``fns``, run in turn ``repeat`` times: this machine's speed
    drifts over seconds, and interleaving gives each the same chances."""
    times = [[] for _ in fns]
    for _ in range(repeat):
        for fn, spent in zip(fns, times, strict=True):
            started = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - started)
    return [min(spent) for spent in times]


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def plain_schema_check(path: Path, master) -> None:
    """What the issue measured as "a plain pandera schema": pandas reads the return sheet
    (calamine engine) and the static performance schema, refined with the register's codes,
    validates it lazily; no file safety, identity, layout, history or status checks, no
    findings or messages."""
    import pandera.pandas as pa
    from xlperf.catalogue.schemas import performance_schema

    schema = performance_schema(codes=master.register["Code"].tolist(),
                                status_words=["Green", "Amber", "Red"])

    def run() -> None:
        frame = pd.read_excel(path, sheet_name="Return", header=11, engine="calamine")
        frame.index = pd.RangeIndex(13, 13 + len(frame), name="row")
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as error:
            assert len(error.failure_cases)

    return run


def without_pandera(path: Path, master):
    """``validate_return`` with the pandera pass replaced by its own result from a first run
    (everything else runs as usual): the validator's cost beside pandera's."""
    import xlperf
    from xlperf.validate import engine

    run_schema = engine.run_schema
    remembered: dict[tuple[str, int], dict] = {}

    def given(rows: pd.DataFrame, kind: str) -> dict:
        key = (kind, len(rows))
        if key not in remembered:
            remembered[key] = run_schema(rows, kind)
        return remembered[key]

    def run() -> None:
        engine.run_schema = given
        try:
            xlperf.validate_return(path, master=master)
        finally:
            engine.run_schema = run_schema

    run()
    return run


def pandera_floor(rows: int, repeat: int, *, row_rules: bool) -> list[float]:
    """What pandera alone costs on a ``rows``-row frame with 0, 1, 2, 3 and 4 failing
    whole-frame checks (five rows failing each), lazy, as the validator runs it: the floor
    under a single return with several kinds of mistake. ``row_rules``: the checks are
    xlperf's ``RowRule`` (each failing row reported once, as its cell) instead of plain
    ``pa.Check`` (pandera reshapes every column of each failing row)."""
    import pandera.pandas as pa
    from xlperf.catalogue.schemas import RowRule

    frame = pd.DataFrame({"Code": [f"BIG{i:04d}" for i in range(rows)],
                          "Actual": np.arange(rows, dtype=float)},
                         index=pd.Index(np.arange(13, 13 + rows), name="cell"))

    def check(k: int) -> pa.Check:
        def fn(f: pd.DataFrame) -> pd.Series:
            return (f["Actual"] % 200) != k
        if row_rules:
            return RowRule(fn, name=f"RULE-{k}", cell="Actual")
        return pa.Check(fn, name=f"RULE-{k}", ignore_na=False)

    checks = [check(k) for k in range(4)]
    times = []
    for failing in range(len(checks) + 1):
        schema = pa.DataFrameSchema({"Actual": pa.Column(float)}, checks=checks[:failing])

        def run(schema: pa.DataFrameSchema = schema) -> None:
            try:
                schema.validate(frame, lazy=True)
            except pa.errors.SchemaErrors as error:
                assert len(error.failure_cases)  # the failures were collected

        times.append(best(run, repeat))
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    import xlperf
    from xlperf.read.master import read_master

    folder = Path(tempfile.mkdtemp(prefix="xlperf-bench-"))
    try:
        master_path, path, wrong = build(folder, args.measures)
        master = read_master(master_path)
        started = time.perf_counter()
        report = xlperf.validate_return(path, master=master)
        cold = time.perf_counter() - started
        read_time, validate_time, plain_time, free_time = best_interleaved(
            [lambda: bare_read(path), lambda: xlperf.validate_return(path, master=master),
             plain_schema_check(path, master), without_pandera(path, master)], args.repeat)
        rules = sorted({f.rule for f in report.findings})
        print(f"return: {args.measures} measures, {wrong} rows made wrong "
              f"({wrong / args.measures:.0%}), {len(report.findings)} findings "
              f"({len(report.errors)} errors, {len(report.queries)} queries): {', '.join(rules)}")
        print(f"bare python-calamine read : {read_time * 1000:8.1f} ms")
        print(f"validate_return           : {validate_time * 1000:8.1f} ms   "
              f"ratio {validate_time / read_time:.2f}x  (first call, master facts not cached: "
              f"{cold * 1000:.1f} ms)")

        print(f"a plain pandera schema    : {plain_time * 1000:8.1f} ms   ratio "
              f"{plain_time / read_time:.2f}x  (pandas.read_excel + the static schema, lazy: "
              "what the issue measured)")
        print(f"validate, pandera free    : {free_time * 1000:8.1f} ms   ratio "
              f"{free_time / read_time:.2f}x  (the pandera pass's result handed back: "
              f"pandera's share {(validate_time - free_time) * 1000:.1f} ms)")
        for row_rules, label in ((False, "plain pa.Check"), (True, "xlperf's RowRule")):
            floor = pandera_floor(args.measures, args.repeat, row_rules=row_rules)
            print(f"pandera alone, a lazy pass over as many rows with 0-4 failing checks "
                  f"({label}): " + ", ".join(f"{t * 1000:.1f}" for t in floor) + " ms ("
                  f"{(floor[-1] - floor[0]) / (len(floor) - 1) * 1000:.1f} ms a failing "
                  f"check)")

        copies = []
        for i in range(args.batch):
            copy = folder / "batch" / f"{i:02d} {path.name}"
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(path, copy)
            copies.append(copy)
        repeat = max(2, args.repeat // 3)
        batch_read, batch_validate = best_interleaved(
            [lambda: [bare_read(p) for p in copies],
             lambda: xlperf.validate_returns(copies, master=master)], repeat)
        print(f"batch of {args.batch}: bare read {batch_read * 1000:8.1f} ms, validate_returns "
              f"{batch_validate * 1000:8.1f} ms   ratio {batch_validate / batch_read:.2f}x  "
              f"({batch_validate / args.batch * 1000:.1f} ms per return)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
