"""`casegraph policy explain` shows the rule behind each decision; `policy test` can fail."""

from gateway import tokens
from gateway.cli import main


def test_explain_shows_the_rule_behind_a_denial(tmp_path, capsys):
    query = tmp_path / "q.graphql"
    query.write_text('{ offender(crn: "X000004") { crn custody { status } } }')
    token = tokens.mint("C01", ["read"])
    assert main(["policy", "explain", "--token", token, "--query", str(query)]) == 0
    out = capsys.readouterr().out
    assert "rows of Offender: managingProvider = 'C01' (crc.toml)" in out
    assert "offender.custody" in out
    assert "denied (scope missing) by crc.toml types.Offender.scoped: needs scope " \
           "'custody:read'" in out
    assert "allowed by crc.toml types.Offender.fields" in out


def test_explain_refuses_a_bad_token(tmp_path, capsys):
    query = tmp_path / "q.graphql"
    query.write_text("{ viewer { subject } }")
    assert main(["policy", "explain", "--token", "nonsense", "--query", str(query)]) == 2
    assert "the token is not a well-formed JWT" in capsys.readouterr().err


def test_the_shipped_policy_cases_pass(capsys):
    assert main(["policy", "test"]) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "FAIL" not in out


def test_a_wrong_expectation_fails_and_says_why(tmp_path, capsys):
    cases = tmp_path / "wrong.toml"
    cases.write_text('''
[[case]]
name = "claims C01 sees a C16 person"
principal = { org = "C01" }
query = '{ offender(crn: "X000002") { crn } }'
visible = ["X000002"]
denied = ["offender.crn"]
''')
    assert main(["policy", "test", str(cases)]) == 1
    out = capsys.readouterr().out
    assert "FAIL wrong.toml: claims C01 sees a C16 person" in out
    assert "expected to see X000002" in out
    assert "denied paths [], expected ['offender.crn']" in out
