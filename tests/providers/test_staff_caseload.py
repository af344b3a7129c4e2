"""An officer's own caseload over nDelius: the team search pages at most 2,000 people (the
API's largest page), and the answer is the embedded data's."""

QUERY = """query($staff: String) { caseload(first: 50, filter: {staffCode: $staff}) {
  totalCount edges { node { offender { crn } } } } }"""


async def test_an_officers_caseload_over_ndelius_is_the_embedded_one(gql, http_gql):
    who = {"staff": "C01T101", "username": "demo.officer"}
    embedded = await gql(QUERY, {"staff": "C01T101"}, **who)
    over_http = await http_gql(QUERY, {"staff": "C01T101"}, **who)
    assert "errors" not in over_http, over_http["errors"]
    assert over_http["data"] == embedded["data"]
    assert embedded["data"]["caseload"]["totalCount"] > 0
