"""Demo data: a children's services register, its history, budget and capital, made reproducibly.

Built from the kinds of measures in the printed scorecards of Doncaster (Q1 2013/14), the
Doncaster Children's Services Trust (Dec-15) and Dudley (Q1 2012/13): messy codes, every unit
and polarity, cumulative targets, a data-only measure and a measure with no target. Everything
comes from a fixed seed, so the same call gives the same frames on every machine.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xlperf.core.periods import Period, parse_period

DEMO_COUNCIL = "Doncaster-on-Sea Council"
DEMO_PERIOD = "Q2 2013/14"
DEMO_SEED = 20131
HISTORY_YEARS = 3

REGISTER_COLUMNS = (
    "Code", "Measure", "Priority", "Objective", "Service", "Owner", "Polarity", "Unit",
    "Frequency", "Scheme", "Tolerance", "Tolerance type", "DoT basis", "Annual target",
    "Cumulative", "Baseline", "Baseline rank", "Contract", "Governance indicator",
    "Directorate", "Plans",
)
# Plan membership (the Measures sheet's Plans column): every measure is in the corporate plan;
# the children's priority and the healthy-children objective are in the children's plan too.
CORPORATE_PLAN, CHILDRENS_PLAN = "Corporate plan", "Children's plan"

P1 = "Priority 1 Economy and skills"
P2 = "Priority 2 Children are safe"
P3 = "Priority 3 Good health and wellbeing"
P6 = "Priority 6 An effective council"
OBJECTIVES = {
    "p1o1": "P1 - Obj 6 Engagement with schools and employers",
    "p1o2": "P1 - Obj 7 Young people in education, employment or training",
    "p2o1": "P2 - Obj 1 Improve professional practice",
    "p2o2": "P2 - Obj 2 Strengthen the workforce",
    "p2o3": "P2 - Obj 4 Children in care and care leavers",
    "p3o1": "P3 - Obj 1 Healthy children",
    "p3o2": "P3 - Obj 2 Early help for families",
    "p6o1": "P6 - Obj 9 Financial viability",
    "p6o2": "P6 - Obj 10 Governance",
}
S_SAFE, S_CARE, S_EDU, S_EARLY, S_WORK, S_FIN = (
    "Safeguarding", "Children in Care", "Education and Skills", "Early Help", "Workforce",
    "Business Support",
)

# code, title, priority, objective, service, owner, polarity, unit, frequency, scheme,
# tolerance, tolerance type, DoT basis, annual target, cumulative, baseline, rank, contract,
# typical value, spread
_MEASURES: list[tuple] = [
    ("R&E 1.6.1", "Number of academies engaging with the apprenticeship programme", P1, "p1o1",
     S_EDU, "Sam Booth", "Data only", "number", "Quarterly", "", None, "", "", None, False,
     None, "", False, 4, 1.5),
    ("NI_073", "Achievement at level 4 or above in English and Maths at KS2", P1, "p1o1",
     S_EDU, "Dave Perrett", "Bigger is better", "%", "Annual", "rag", 1, "absolute", "", 78,
     False, 75, "B", False, 80.2, 1.5),
    ("NI_075", "Achievement of 5 or more A*-C GCSEs including English and Maths", P1, "p1o1",
     S_EDU, "Dave Perrett", "Bigger is better", "%", "Annual", "rag", 2, "absolute", "", 58,
     False, 59, "C", False, 55.0, 2.0),
    ("(Old)NI_117a", "16-18 year olds not in education, employment or training (NEET)", P1,
     "p1o2", S_EDU, "Kate Millin", "Smaller is better", "%", "Monthly", "rag", 0.5,
     "absolute", "Same period last year", 7.1, False, 6.1, "C", False, 6.8, 0.6),
    ("YO EET", "Young offenders in education, employment or training", P1, "p1o2", S_EDU,
     "Kate Millin", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute", "", 80, False,
     76, "", False, 82, 7),
    ("CL EET", "Care leavers in education, employment or training", P1, "p1o2", S_CARE,
     "Pauline Sharratt", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute", "", 55,
     False, 28, "D", True, 52, 6),
    ("DofE 01", "Duke of Edinburgh awards achieved (cumulative)", P1, "p1o2", S_EDU,
     "Audrey Heer", "Bigger is better", "number", "Quarterly", "rag", 5, "%", "", 730, True,
     None, "", False, 185, 25),
    ("APP 02", "Apprenticeship starts by care leavers (cumulative)", P1, "p1o2", S_CARE,
     "Sam Booth", "Bigger is better", "number", "Quarterly", "rag", 1, "absolute", "", 12, True,
     None, "", False, 3, 1),
    ("CYP 2.1.3", "Timeliness of single assessment within 45 days", P2, "p2o1", S_SAFE,
     "Pauline Sharratt", "Bigger is better", "%", "Monthly", "rag", 5, "absolute", "", 85,
     False, 82, "B", True, 86, 5),
    ("CYP 2.1.4", "Children in need per 10,000 population under 18", P2, "p2o1", S_SAFE,
     "Pauline Sharratt", "Smaller is better", "rate per 10,000", "Quarterly", "rag", 10,
     "absolute", "", 330, False, 346, "B", False, 330, 15),
    ("CYP 2.1.5", "Rolling 3 month average number of CAFs", P2, "p2o1", S_EARLY, "Jo Hardy",
     "Bigger is better", "number", "Monthly", "rag", 10, "%", "", 311, False, None, "", False,
     300, 40),
    ("CYP 2.1.6", "Child protection visits not on time (within 4 weeks)", P2, "p2o1", S_SAFE,
     "Pauline Sharratt", "Smaller is better", "%", "Monthly", "rag", 2, "absolute", "", 0,
     False, None, "", True, 6, 2.5),
    ("KIGS CH01", "Children on a child protection plan per 10,000 aged under 18", P2, "p2o1",
     S_SAFE, "Pauline Sharratt", "Smaller is better", "rate per 10,000", "Quarterly", "rag", 2,
     "absolute", "", 45.3, False, 42, "C", False, 60, 8),
    ("NI_068", "Referrals going on to initial assessment", P2, "p2o1", S_SAFE,
     "Pauline Sharratt", "Bigger is better", "%", "Monthly", "rag", 15, "%", "", 78.2, False,
     83.16, "C", False, 72, 5),
    ("%Re-Ref", "Re-referrals to children's social care within 12 months", P2, "p2o1", S_SAFE,
     "Pauline Sharratt", "Smaller is better", "%", "Quarterly", "rag", 2, "absolute", "", 25,
     False, 37, "D", True, 26, 4),
    ("CPP 2nd", "Children subject to a child protection plan for a second time", P2, "p2o1",
     S_SAFE, "Pauline Sharratt", "Smaller is better", "%", "Quarterly", "three-symbol", 2,
     "absolute", "", 15, False, 17.6, "C", True, 15, 4),
    ("CPP 2yr", "Children on a child protection plan for more than 2 years", P2, "p2o1",
     S_SAFE, "Pauline Sharratt", "Smaller is better", "%", "Quarterly", "three-symbol", 2,
     "absolute", "", 10, False, 2.7, "C", True, 8, 4),
    ("CSE 01", "Cases open to the child sexual exploitation team", P2, "p2o1", S_SAFE,
     "Jo Hardy", "Data only", "number", "Monthly", "", None, "", "", None, False, None, "",
     False, 28, 6),
    ("MISS 24", "Episodes of children missing for more than 24 hours (rolling 3 months)", P2,
     "p2o1", S_SAFE, "Jo Hardy", "Smaller is better", "number", "Monthly", "rag", 5,
     "absolute", "", None, False, None, "", False, 50, 9),
    ("CYP 2.4.1", "Number of case audits completed across the service", P2, "p2o1", S_SAFE,
     "Jo Hardy", "Data only", "number", "Monthly", "", None, "", "", None, False, None, "",
     False, 50, 8),
    ("QA 01", "Case files audited as requires improvement or better", P2, "p2o1", S_SAFE,
     "Jo Hardy", "Bigger is better", "%", "Quarterly", "four-band", 4, "absolute", "", 99,
     False, None, "", True, 92, 6),
    ("CYP 2.3.2", "Social worker vacancies of the whole establishment", P2, "p2o2", S_WORK,
     "Lee Carter", "Smaller is better", "%", "Monthly", "rag", 2, "absolute", "", 0, False,
     None, "", False, 11, 3),
    ("CYP 2.3.3", "Social worker agency staff of the whole establishment", P2, "p2o2", S_WORK,
     "Lee Carter", "Smaller is better", "%", "Monthly", "rag", 3, "absolute", "", 10, False,
     30, "D", True, 25, 8),
    ("CYP_LocalQSW6", "Substantive qualified social workers", P2, "p2o2", S_WORK, "Lee Carter",
     "Bigger is better", "%", "Quarterly", "rag", 4, "absolute", "", 80, False, None, "",
     False, 66, 6),
    ("SW CASE", "Average social worker caseload", P2, "p2o2", S_WORK, "Lee Carter",
     "Smaller is better", "number", "Monthly", "rag", 1, "absolute", "", 16, False, 16, "B",
     False, 16.2, 1.2),
    ("SICK", "Average days lost to sickness per FTE (rolling 12 months)", P2, "p2o2", S_WORK,
     "Lee Carter", "Smaller is better", "days", "Quarterly", "rag", 0.5, "absolute", "", 8,
     False, 7, "", False, 6.0, 1.5),
    ("STAFF 2yr", "Permanent staff that left within 2 years", P2, "p2o2", S_WORK, "Lee Carter",
     "Smaller is better", "%", "Quarterly", "rag", 2, "absolute", "", 10, False, 50, "", True,
     6, 4),
    ("STAFF SAT", "Staff satisfaction", P2, "p2o2", S_WORK, "Lee Carter", "Bigger is better",
     "%", "Annual", "rag", 5, "absolute", "", "Not Set", False, None, "", False, 70, 5),
    ("KIGS CH39", "Children looked after per 10,000 aged under 18", P2, "p2o3", S_CARE,
     "Pauline Sharratt", "Smaller is better", "rate per 10,000", "Quarterly", "rag", 2,
     "absolute", "", 71.6, False, 77, "C", False, 72, 3),
    ("NI_062", "Stability of placements: three or more moves in the year", P2, "p2o3", S_CARE,
     "Pauline Sharratt", "Smaller is better", "%", "Quarterly", "four-band", 1, "absolute", "",
     9, False, 12, "C", True, 9.5, 1.5),
    ("LAC STAB", "Looked after children in the same placement for 2 years", P2, "p2o3",
     S_CARE, "Pauline Sharratt", "Bigger is better", "%", "Quarterly", "four-band", 3,
     "absolute", "", 70, False, 54, "D", True, 66, 3),
    ("NI_147", "Care leavers aged 19 in suitable accommodation", P2, "p2o3", S_CARE,
     "Pauline Sharratt", "Bigger is better", "%", "Annual", "rag", 5, "absolute", "", 85, False,
     64, "D", True, 90.5, 3),
    ("PAF C19_local4", "Children looked after who have had an initial health check", P2,
     "p2o3", S_CARE, "Pauline Sharratt", "Bigger is better", "%", "Monthly", "rag", 0,
     "absolute", "", 100, False, None, "", False, 93, 5),
    ("ADOPT 01", "Days from entering care to placement with adopters", P2, "p2o3", S_CARE,
     "Pauline Sharratt", "Smaller is better", "days", "Quarterly", "rag", 10, "%", "", 547,
     False, 632, "C", False, 420, 50),
    ("ADOPT 02", "Adoptions from care (cumulative %)", P2, "p2o3", S_CARE, "Pauline Sharratt",
     "Bigger is better", "%", "Quarterly", "rag", 1, "absolute", "", 10, True, 9, "B", False,
     2.6, 0.6),
    ("LAC REV", "Looked after children reviews held on time", P2, "p2o3", S_CARE,
     "Pauline Sharratt", "Bigger is better", "%", "Monthly", "four-band", 3, "absolute", "",
     95, False, None, "", False, 93, 4),
    ("CARE PROC", "Average length of care proceedings", P2, "p2o3", S_CARE, "Pauline Sharratt",
     "Smaller is better", "weeks", "Quarterly", "rag", 2, "absolute", "", 26, False, 34, "",
     True, 27, 3),
    ("LAC PERM", "Looked after children with a plan for permanence", P2, "p2o3", S_CARE,
     "Pauline Sharratt", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute", "", "TBC",
     False, None, "", False, 80, 6),
    ("HV 01", "Children receiving a 2-2.5 year health review", P3, "p3o1", S_EARLY, "Jo Hardy",
     "Bigger is better", "%", "Quarterly", "rag", 3, "absolute", "", 85, False, 79, "C", False,
     87, 4),
    ("IMM 01", "Children immunised (MMR2) by age 5", P3, "p3o1", S_EARLY, "Jo Hardy",
     "Bigger is better", "%", "Quarterly", "rag", 2, "absolute", "", 95, False, 88, "C", False,
     94.5, 2),
    ("OBES R", "Children in year 6 who are obese", P3, "p3o1", S_EARLY, "Jo Hardy",
     "Smaller is better", "%", "Annual", "rag", 1, "absolute", "", 19, False, 19.8, "D", False,
     20.5, 0.8),
    ("TEEN CONC", "Under-18 conceptions per 1,000 females aged 15-17", P3, "p3o1", S_EARLY,
     "Jo Hardy", "Smaller is better", "rate per 1,000", "Quarterly", "rag", 2, "absolute",
     "Same period last year", 30, False, 34, "D", False, 31, 3),
    ("EH 01", "Early help assessments completed", P3, "p3o2", S_EARLY, "Jo Hardy",
     "Bigger is better", "number", "Monthly", "rag", 10, "%", "", 120, False, None, "", False,
     148, 15),
    ("EH 02", "Families turned around (troubled families, cumulative)", P3, "p3o2", S_EARLY,
     "Jo Hardy", "Bigger is better", "number", "Quarterly", "rag", 5, "%", "", 400, True, None,
     "", False, 100, 12),
    ("EH 03", "Re-referrals to early help within 12 months", P3, "p3o2", S_EARLY, "Jo Hardy",
     "Smaller is better", "%", "Quarterly", "three-symbol", 2, "absolute", "", 15, False, None,
     "", False, 15, 3),
    ("CC 01", "Children's centre registrations of under-5s in the most deprived areas", P3,
     "p3o2", S_EARLY, "Jo Hardy", "Bigger is better", "%", "Quarterly", "rag", 3, "absolute",
     "", 90, False, None, "", False, 86, 3),
    ("FIN 01", "Progress against the efficiency plan (cumulative)", P6, "p6o1", S_FIN,
     "Chris Walker", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute", "", 100, True,
     None, "", True, 30, 5),
    ("FIN 02", "Invoices paid within 30 days", P6, "p6o1", S_FIN, "Chris Walker",
     "Bigger is better", "%", "Monthly", "rag", 2, "absolute", "", 95, False, None, "", False,
     95.5, 2),
    ("FIN 03", "Agency staff spend as a share of pay", P6, "p6o1", S_FIN, "Chris Walker",
     "Smaller is better", "%", "Quarterly", "rag", 2, "absolute", "", 12, False, None, "",
     False, 14, 2),
    ("GOV 01", "Internal audit actions implemented by the agreed date", P6, "p6o2", S_FIN,
     "Chris Walker", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute", "", 90, False,
     None, "", False, 85, 7),
    ("GOV 02", "Staff appraisals completed", P6, "p6o2", S_WORK, "Lee Carter",
     "Bigger is better", "%", "Quarterly", "four-band", 5, "absolute", "", 100, True, None, "",
     False, 45, 8),
    ("GOV 03", "Complaints responded to within timescale", P6, "p6o2", S_FIN, "Chris Walker",
     "Bigger is better", "%", "Monthly", "rag", 5, "absolute", "", 90, False, None, "", False,
     84, 6),
    ("GOV 04", "Freedom of information requests answered within 20 days", P6, "p6o2", S_FIN,
     "Chris Walker", "Bigger is better", "%", "Monthly", "rag", 3, "absolute", "", 90, False,
     None, "", False, 88, 4),
    # Governance indicators of the council's other directorates, compared with the children's
    # (the Governance sheet: _GOVERNANCE names each one's indicator and directorate).
    ("GOV AH1", "Average days lost to sickness per FTE: Adults and Health", P6, "p6o2", S_WORK,
     "Lee Carter", "Smaller is better", "days", "Quarterly", "rag", 0.5, "absolute", "", 8,
     False, None, "", False, 9.0, 1.0),
    ("GOV AH2", "Internal audit actions implemented by the agreed date: Adults and Health", P6,
     "p6o2", S_FIN, "Chris Walker", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute",
     "", 90, False, None, "", False, 78, 6),
    ("GOV AH3", "Staff appraisals completed: Adults and Health", P6, "p6o2", S_WORK,
     "Lee Carter", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute", "", 100, False,
     None, "", False, 88, 6),
    ("GOV RE1", "Average days lost to sickness per FTE: Regeneration and Environment", P6,
     "p6o2", S_WORK, "Lee Carter", "Smaller is better", "days", "Quarterly", "rag", 0.5,
     "absolute", "", 8, False, None, "", False, 7.6, 1.0),
    ("GOV RE2", "Internal audit actions implemented by the agreed date: Regeneration and "
     "Environment", P6, "p6o2", S_FIN, "Chris Walker", "Bigger is better", "%", "Quarterly",
     "rag", 5, "absolute", "", 90, False, None, "", False, 93, 4),
    ("GOV RE3", "Staff appraisals completed: Regeneration and Environment", P6, "p6o2", S_WORK,
     "Lee Carter", "Bigger is better", "%", "Quarterly", "rag", 5, "absolute", "", 100, False,
     None, "", False, 95, 3),
]

# The demo's directorates and its governance indicators (the Measures sheet's optional
# Governance indicator and Directorate columns): code -> (indicator, directorate).
D_CYPS, D_AH, D_RE = ("Children and Young People", "Adults and Health",
                      "Regeneration and Environment")
SICKNESS, AUDIT_ACTIONS, REVIEWS = ("Sickness days per FTE", "Audit actions implemented",
                                    "Staff appraisals completed")
_GOVERNANCE: dict[str, tuple[str, str]] = {
    "SICK": (SICKNESS, D_CYPS), "GOV 01": (AUDIT_ACTIONS, D_CYPS), "GOV 02": (REVIEWS, D_CYPS),
    "GOV AH1": (SICKNESS, D_AH), "GOV AH2": (AUDIT_ACTIONS, D_AH), "GOV AH3": (REVIEWS, D_AH),
    "GOV RE1": (SICKNESS, D_RE), "GOV RE2": (AUDIT_ACTIONS, D_RE), "GOV RE3": (REVIEWS, D_RE),
}


def demo_register() -> pd.DataFrame:
    """The demo register, headers as in the master workbook's ``Measures`` sheet.

    >>> demo_register().shape[1] == len(REGISTER_COLUMNS)
    True
    """
    rows = []
    for m in _MEASURES:
        (code, title, priority, objective, service, owner, polarity, unit, frequency, scheme,
         tolerance, tolerance_type, dot_basis, annual, cumulative, baseline, rank, contract,
         _typical, _spread) = m
        indicator, directorate = _GOVERNANCE.get(code, ("", ""))
        rows.append((code, title, priority, OBJECTIVES[objective], service, owner, polarity, unit,
                     frequency, scheme, tolerance, tolerance_type or "absolute",
                     dot_basis or "Previous period", annual, "Yes" if cumulative else "No",
                     baseline, rank, "Yes" if contract else "No", indicator, directorate,
                     f"{CORPORATE_PLAN}; {CHILDRENS_PLAN}"
                     if priority == P2 or objective == "p3o1" else CORPORATE_PLAN))
    frame = pd.DataFrame(rows, columns=list(REGISTER_COLUMNS))
    frame["Annual target"] = frame["Annual target"].astype(object)
    return frame


def demo_periods(frequency: str, reporting: str | Period = DEMO_PERIOD,
                 years: int = HISTORY_YEARS) -> list[Period]:
    """Every period of ``frequency`` from the start of ``years`` financial years back to the
    reporting period's end, oldest first."""
    from xlperf.core.score import due_period

    end = parse_period(reporting)
    periods = [due_period(end, frequency)]
    while periods[-1].previous().year >= end.year - years:
        periods.append(periods[-1].previous())
    return periods[::-1]


def demo_values(reporting: str | Period = DEMO_PERIOD, years: int = HISTORY_YEARS,
                seed: int = DEMO_SEED) -> pd.DataFrame:
    """Reported values for every demo measure and period up to ``reporting``: a long table with
    Code, Period, Actual, Commentary, Reported status and an attributed comment (Comment
    subject, Comment by, Further comment: the head of service's on one measure). Cumulative
    measures climb through each year; the reporting period carries a few realistic messes (a
    ``TBC``)."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in _MEASURES:
        code, frequency, cumulative, typical, spread = m[0], m[8], m[14], m[18], m[19]
        freq = {"Monthly": "month", "Quarterly": "quarter", "Annual": "year"}[frequency]
        drift = rng.normal(0, spread / 4)
        for period in demo_periods(freq, reporting, years):
            base = typical + drift * (period.year - 2011) + rng.normal(0, spread)
            if cumulative:
                base = typical * period.index * (1 + rng.normal(0, 0.08))
            # Counts are whole numbers; rates and percentages keep a decimal place.
            value = round(max(base, 0.0), 0 if m[7] == "number" or spread >= 10 else 1)
            if m[7] == "%":
                value = min(value, 100.0)
            rows.append((code, period.format(), value, None, None))
    frame = pd.DataFrame(rows, columns=["Code", "Period", "Actual", "Commentary",
                                        "Reported status"])
    frame["Actual"] = frame["Actual"].astype(object)
    last = parse_period(reporting)
    current = frame["Period"].map(lambda p: parse_period(p).end >= last.start)
    frame.loc[current & (frame["Code"] == "LAC PERM"), "Actual"] = "under development"
    frame.loc[current & (frame["Code"] == "PAF C19_local4"), "Actual"] = "TBC"
    # A month the case-management system was down (the master ghosts it: demo_process_changes).
    frame.loc[(frame["Code"] == "GOV 03") & (frame["Period"] == "Dec-12"), "Actual"] = 52.0
    # One deliberate mistake, so the demo shows a rejected row: a count typed with a fraction.
    frame.loc[current & (frame["Code"] == "R&E 1.6.1"), "Actual"] = 4.5
    notes = {
        "KIGS CH01": "<p>Over fifty recent cases have been audited.</p> <p>Issues with "
                     "chairing of conferences &amp; early decision making are being addressed."
                     "</p>",
        "CYP 2.1.6": "The value represents the known child protection visits that should have "
                     "taken place within 4 weeks.",
        "NI_068": "Improvement partner working alongside heads of service on duty arrangements.",
        "CYP 2.3.3": "Based on establishment for social care teams.",
    }
    for code, note in notes.items():
        frame.loc[current & (frame["Code"] == code), "Commentary"] = note
    frame.loc[current & (frame["Code"] == "CYP 2.1.6"), "Reported status"] = "Green"
    # A comment by someone other than the owner (issue 24): the head of service's, under the
    # heading the report prints it with.
    for column in ("Comment subject", "Comment by", "Further comment"):
        frame[column] = None
    frame.loc[current & (frame["Code"] == "KIGS CH01"), [
        "Comment subject", "Comment by", "Further comment"]] = [
        "Head of Service Commentary", "Amira Khan, Head of Safeguarding",
        "Two permanent conference chairs start in October; plans open for more than two "
        "years are being reviewed first, so the rate should fall by the end of Q3."]
    return frame


def demo_targets() -> pd.DataFrame:
    """Profiled targets for the demo year (the master's ``Targets`` sheet): a seasonal NEET
    target by month (school leavers push it up in the autumn) and a Duke of Edinburgh profile
    that is not a straight line. Other measures use their annual target."""
    neet = [6.8, 6.8, 6.9, 7.2, 7.6, 8.0, 7.4, 7.0, 6.8, 6.8, 6.9, 7.1]
    months = ["Apr-13", "May-13", "Jun-13", "Jul-13", "Aug-13", "Sep-13", "Oct-13", "Nov-13",
              "Dec-13", "Jan-14", "Feb-14", "Mar-14"]
    rows = [("(Old)NI_117a", month, target) for month, target in zip(months, neet, strict=True)]
    rows += [("DofE 01", f"Q{q} 2013/14", target)
             for q, target in zip(range(1, 5), (120, 330, 520, 730), strict=True)]
    return pd.DataFrame(rows, columns=["Code", "Period", "Target"])


def demo_process_changes() -> pd.DataFrame:
    """The master's ``Process changes`` sheet for the demo (docs/spc.md): the complaints
    measure rebased when the new complaints procedure started, and the month the case system
    was down ghosted (its figure is known to be wrong).

    >>> demo_process_changes()["Action"].tolist()
    ['Rebase', 'Ghost']
    """
    return pd.DataFrame([
        ("GOV 03", "Apr-12", "Rebase", "New complaints procedure from April 2012: one "
         "acknowledgement and a 10-day response standard"),
        ("GOV 03", "Dec-12", "Ghost", "Case-management system outage in December 2012: "
         "responses sent were not logged"),
    ], columns=["Code", "Period", "Action", "Reason"])


_O1 = "P2 - Obj 1 Improve professional practice"
_O4 = "P2 - Obj 4 Children in care and care leavers"
_O7 = "P1 - Obj 7 Young people in education, employment or training"
_E = "P3 - Obj 2 Early help for families"


def demo_milestones() -> pd.DataFrame:
    """The demo council's own invented key activities and milestones (issue 24).

    >>> demo_milestones()["Code"].tolist()[:2]
    ['M01', 'M02']
    """
    return pd.DataFrame([
        ("M01", _O1, "Practice standards refreshed and launched with all social work teams",
         "Head of Safeguarding", dt.datetime(2013, 12, 31), "Safeguarding"),
        ("M02", _O1, "Monthly case audit programme covering every team", "Head of Safeguarding",
         dt.datetime(2014, 3, 31), "Safeguarding"),
        ("M03", _O4, "Sufficiency plan for foster placements agreed", "Head of Children in Care",
         dt.datetime(2013, 11, 30), "Children in Care"),
        ("M04", _O7, "Post-16 tracking in place with every school", "Head of Education",
         dt.datetime(2014, 1, 31), "Education and Skills"),
        ("M05", _E, "Single front door for early help requests", "Head of Early Help",
         dt.datetime(2014, 2, 28), "Early Help"),
    ], columns=["Code", "Objective", "Milestone", "Lead officer", "Due date", "Service"])


def demo_projects() -> pd.DataFrame:
    """The demo council's invented projects ("Other headlines / key activity")."""
    return pd.DataFrame([
        ("P01", _O1, "Mobile working for social workers", "Head of Safeguarding",
         "Safeguarding"),
        ("P02", _O4, "New children's home in the north of the borough",
         "Head of Children in Care", "Children in Care"),
        ("P03", _E, "Family hubs in three localities", "Head of Early Help", "Early Help"),
    ], columns=["Code", "Objective", "Project", "Lead officer", "Service"])


def demo_activity() -> pd.DataFrame:
    """What the demo services return for their milestones and projects in the demo period, as
    they type it into their returns' Milestones sheet (a milestone's progress as its
    drop-down shows it; one milestone is behind, with its commentary and a revised date).

    >>> demo_activity().set_index("Code").loc["M02", "Progress"]
    '▲ Fair / behind'
    """
    from xlperf.core.milestones import COMPLETE, EXCELLENT, FAIR, GOOD, progress_label

    return pd.DataFrame([
        ("Milestone", "M01", progress_label(GOOD), None, None,
         "Standards drafted with team managers; launch set for the December practice week."),
        ("Milestone", "M02", progress_label(FAIR), None, dt.datetime(2014, 6, 30),
         "Two teams have no audit lead while posts are vacant; the principal social worker "
         "covers them until the new leads start in January."),
        ("Milestone", "M03", progress_label(COMPLETE), None, None,
         "Agreed by the corporate parenting board in September."),
        ("Milestone", "M04", progress_label(EXCELLENT), None, None,
         "Every school now shares its post-16 destinations each month."),
        ("Milestone", "M05", progress_label(GOOD), None, None, "Pilot running in two areas."),
        ("Project", "P01", "Green", "Green", None, "Tablets issued to all social workers."),
        ("Project", "P02", "Amber", "Red", None,
         "Planning approval took longer than expected; build costs are 8% over the budget."),
        ("Project", "P03", "Green", "Amber", None, "First hub opened in October."),
    ], columns=["Type", "Code", "Progress", "Forecast variance", "Revised date",
                "Commentary"])


def demo_risks() -> pd.DataFrame:
    """The demo council's invented risks per objective (one impacts all objectives)."""
    return pd.DataFrame([
        ("Social work vacancies stay high", _O1, "High"),
        ("Rising demand for placements outstrips supply", _O4, "High"),
        ("Placement costs rise faster than budget", _O4, "Medium"),
        ("Schools do not share post-16 data", _O7, "Low"),
        ("Funding for the service falls in year", "All objectives", "Medium"),
    ], columns=["Risk", "Objective", "Rating"])



def demo_judgements() -> pd.DataFrame:
    """The master's ``Judgements`` sheet for the demo (invented): the director overrides one
    objective's computed judgement for the demo period (At Risk computed, Off Track judged),
    and kept last quarter's row for another.

    >>> demo_judgements().groupby("Period")["Judgement"].first().to_dict()
    {'Q1 2013/14': 'On Track', 'Q2 2013/14': 'Off Track'}
    """
    return pd.DataFrame([
        (_O7, "Q1 2013/14", "On Track", "The dip is the usual summer gap between school and "
         "college; September enrolments are on plan.", "Pauline Sharratt"),
        (_O4, DEMO_PERIOD, "Off Track", "Fourteen more children are in external residential "
         "care than planned and no in-house places open before April: the measures do not yet "
         "show the pressure.", "Pauline Sharratt"),
    ], columns=["Objective", "Period", "Judgement", "Commentary", "Director"])


# Budget holder of each revenue line: each gets one finance return.
DEMO_BUDGET_HOLDERS = {
    "Children in care": "Pauline Sharratt",
    "Safeguarding and family support": "Pauline Sharratt",
    "Early help": "Jo Hardy",
    "Business support": "Chris Walker",
    # The director of children's services owns the directorate total: her finance return
    # asks for its explanation (docs/master.md).
    "Directorate total": "Pauline Sharratt",
}


def demo_settings(period: str | Period = DEMO_PERIOD) -> dict[str, object]:
    """The master's ``Settings`` for the demo council."""
    return {
        "Council name": DEMO_COUNCIL,
        "Directorate": "Children and Young People's Services",
        "Reporting period": parse_period(period).format(),
        "Returns folder": "returns",
        "Default scheme": "rag",
        "Budget tolerance %": 1.0,
        "Materiality threshold (£000s)": 50,
        "Return deadline": "15 working days after the period end",
    }


def demo_budget() -> pd.DataFrame:
    """Revenue budget in £000s: four service areas and the directorate total (it cross-foots)."""
    lines = pd.DataFrame({
        "Service area": ["Children in care", "Safeguarding and family support", "Early help",
                         "Business support"],
        "Gross budget": [21_450, 16_980, 6_120, 3_410],
        "Net budget": [18_900, 15_239, 5_380, 2_781],
        "Forecast outturn": [21_370, 14_725, 5_402, 2_690],
        "Explanation": [
            "Placement costs: 14 more children in external residential care than budgeted.",
            "The underspend relates to vacant posts held pending the restructure.",
            "", "",
        ],
    })
    total = lines.drop(columns=["Service area", "Explanation"]).sum()
    total_row = {"Service area": "Directorate total", **total.to_dict(),
                 "Explanation": "Overspend driven by external residential placements for "
                                "children in care, partly offset by vacant posts in "
                                "safeguarding."}
    return pd.concat([lines, pd.DataFrame([total_row])], ignore_index=True)


def demo_audit() -> pd.DataFrame:
    """The master's ``Audit`` sheet for the demo: internal audit assurance by directorate for
    the first two quarters of 2013/14 (invented counts).

    >>> demo_audit().groupby("Period")["Substantial assurance"].sum().to_dict()
    {'Q1 2013/14': 6, 'Q2 2013/14': 8}
    """
    rows = [
        (D_CYPS, "Q1 2013/14", 0, 1, 1, 3, 3), (D_AH, "Q1 2013/14", 0, 0, 2, 2, 2),
        (D_RE, "Q1 2013/14", 0, 1, 0, 1, 1),
        (D_CYPS, "Q2 2013/14", 0, 2, 0, 4, 2), (D_AH, "Q2 2013/14", 1, 1, 2, 2, 1),
        (D_RE, "Q2 2013/14", 0, 0, 1, 2, 0),
    ]
    return pd.DataFrame(rows, columns=["Directorate", "Period", "No assurance",
                                       "Limited assurance", "Reasonable assurance",
                                       "Substantial assurance", "Due"])


def demo_capital() -> pd.DataFrame:
    """Capital programme in £000s, a row per programme and quarter of the year so far (Q1 and
    Q2 2013/14: the Finance sheet's quarter-by-quarter table)."""
    programmes = ["School places expansion", "Children's home refurbishment", "Family hubs",
                  "Case management system"]
    return pd.DataFrame({
        "Programme": programmes * 2,
        "Quarter": ["Q1 2013/14"] * 4 + ["Q2 2013/14"] * 4,
        "Revised base budget": [5_000, 1_200, 800, 650] * 2,
        "Revised estimate": [5_000, 1_200, 800, 650, 4_200, 1_250, 800, 500],
        "Actual to date": [850, 380, 90, 310, 2_100, 900, 310, 520],
        "Explanation": ["", "", "", "",
                        "Phase 2 slipped to 2014/15 after planning delay.", "", "",
                        "Licences bought ahead of schedule."],
    })
