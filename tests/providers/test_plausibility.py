"""The demo dataset holds nothing a real system would not: every rule counts zero, and each
rule does catch the record it is about (so a zero means something)."""

import json
from dataclasses import replace
from datetime import date

from gateway.cli import main
from providers.embedded.dataset import build
from providers.embedded.plausibility import check


def test_the_demo_dataset_has_no_implausible_record(dataset):
    assert check(dataset) == {}


def test_other_seeds_are_plausible_too():
    assert check(build(seed=7, size=600)) == {}


def test_data_check_command_reports_zero(capsys):
    assert main(["data", "check", "--size", "300"]) == 0
    assert json.loads(capsys.readouterr().out)["implausible"] == {}


def _broken(data, crn, **changes):
    case = data.cases[crn][0]
    cases = dict(data.cases) | {crn: (replace(case, **changes),)}
    return check(replace(data, cases=cases))


def test_each_rule_catches_its_record():
    data = build(size=50)
    community = next(c for cases in data.cases.values() for c in cases
                     if c.sentence and c.sentence.type_code == "SP" and c.active)
    ipp = replace(community.sentence, type_code="IPP", start_date=date(2015, 1, 5))
    assert "ipp_after_abolition" in _broken(data, community.crn, sentence=ipp)
    long_suspended = replace(community.sentence, type_code="SU", length=36)
    assert "suspended_over_two_years" in _broken(data, community.crn, sentence=long_suspended)
    ended = replace(community.sentence, expected_end_date=date(2025, 1, 1))
    assert "community_order_past_end_not_terminated" in _broken(
        data, community.crn, sentence=ended)
    future = replace(community.sentence, termination_date=date(2030, 1, 1))
    assert "termination_in_future" in _broken(data, community.crn, sentence=future)
    assert "conviction_before_pnc_year" in _broken(
        data, "X000004", conviction_date=date(1960, 1, 1))
    noms = "A0004AA"
    child = replace(data.custody[noms], date_of_birth=date(2015, 1, 1))
    assert "adult_custody_under_18" in check(replace(
        data, custody=dict(data.custody) | {noms: child}))
    recall = replace(data.custody[noms], legal_status="RECALL")
    assert "recall_without_release_or_with_hdc" in check(replace(
        data, custody=dict(data.custody) | {noms: recall}))
