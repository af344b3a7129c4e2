"""Each CRC sees its own cases and nothing else, on every path; outside = not found."""

import pytest

from tests.conftest import codes

OFFICER = {"staff": "C01T101", "username": "demo.officer"}


def _without_extensions(body):
    return {k: v for k, v in body.items() if k != "extensions"}


async def _caseload_ids(gql, org):
    body = await gql("{ caseload(first: 100) { totalCount "
                     "edges { node { eventId } } } }", org=org)
    return body["data"]["caseload"]["totalCount"], {
        e["node"]["eventId"] for e in body["data"]["caseload"]["edges"]}


async def test_two_crcs_see_disjoint_caseloads_matching_the_data(gql, dataset):
    total_c01, c01 = await _caseload_ids(gql, "C01")
    total_c16, c16 = await _caseload_ids(gql, "C16")
    assert c01 and c16 and not c01 & c16
    assert total_c01 == len(dataset.caseloads["C01"])
    assert total_c16 == len(dataset.caseloads["C16"])
    assert c01 <= {c.id for c in dataset.caseloads["C01"]}


async def test_asking_for_another_crcs_provider_in_the_filter_gives_nothing(gql):
    body = await gql("{ caseload(first: 5, filter: {provider: \"C16\"}) { totalCount edges "
                     "{ node { id } } } }", org="C01")
    assert body["data"]["caseload"] == {"totalCount": 0, "edges": []}


@pytest.mark.parametrize("query", [
    '{ offender(crn: "%s") { crn name { surname } } }',
    '{ a: offender(crn: "%s") { ...F } } fragment F on Offender { crn dateOfBirth }',
    '{ offender(crn: "%s") { ... on Offender { crn cases { id } } } }',
])
async def test_another_crcs_offender_is_answered_exactly_like_a_missing_one(gql, query):
    foreign = await gql(query % "X000002", org="C01")
    missing = await gql(query % "Z999999", org="C01")
    assert _without_extensions(foreign) == _without_extensions(missing)
    assert "errors" not in foreign


async def test_by_variables_too(gql):
    body = await gql("query($c: ID!) { offender(crn: $c) { crn } }", {"c": "X000002"}, org="C01")
    assert body["data"] == {"offender": None}


async def test_another_crcs_prisoner_is_not_found_by_noms_number(gql):
    foreign = await gql('{ offenderByNomsNumber(nomsNumber: "A0005AA") { crn } }', org="C01")
    missing = await gql('{ offenderByNomsNumber(nomsNumber: "Z9999ZZ") { crn } }', org="C01")
    assert _without_extensions(foreign) == _without_extensions(missing)


async def test_search_finds_only_your_own_people(gql):
    body = await gql('{ offenders(search: "X00000", first: 50) { edges { node { crn } } } }',
                     org="C16")
    assert {e["node"]["crn"] for e in body["data"]["offenders"]["edges"]} == {"X000002",
                                                                              "X000005"}


async def test_establishment_lists_only_prisoners_you_manage(gql):
    body = await gql('{ establishment(code: "MDI") { prisoners(first: 100) { totalCount edges '
                     '{ node { prisonNumber offender { crn } } } } } }', org="C16")
    nomses = {e["node"]["prisonNumber"] for e in
              body["data"]["establishment"]["prisoners"]["edges"]}
    assert "A0004AA" not in nomses
    c01 = await gql('{ establishment(code: "MDI") { prisoners(first: 100) { edges { node '
                    '{ prisonNumber } } } } }', org="C01")
    assert "A0004AA" in {e["node"]["prisonNumber"] for e in
                         c01["data"]["establishment"]["prisoners"]["edges"]}


async def test_transferred_case_belongs_to_the_new_crc_only(gql):
    assert (await gql('{ offender(crn: "X000010") { crn } }', org="C09"))["data"]["offender"]
    assert (await gql('{ offender(crn: "X000010") { crn } }', org="C05"))["data"] == {
        "offender": None}


async def test_nps_sees_its_own_division_and_not_a_crcs(gql):
    assert (await gql('{ offender(crn: "X000003") { crn } }', org="N02"))["data"]["offender"]
    assert (await gql('{ offender(crn: "X000001") { crn } }', org="N02"))["data"] == {
        "offender": None}


async def test_hq_sees_every_organisations_people(gql):
    for crn in ("X000001", "X000002", "X000003"):
        body = await gql('query($c: ID!) { offender(crn: $c) { crn } }', {"c": crn}, org="HQ")
        assert body["data"]["offender"] == {"crn": crn}


async def test_custody_needs_the_custody_scope(gql):
    body = await gql('{ offender(crn: "X000004") { crn custody { status } } }', org="C01",
                     scopes=("read",))
    assert body["data"]["offender"] == {"crn": "X000004", "custody": None}
    assert body["errors"] == [{"message": "Not authorised to read Offender.custody",
                               "path": ["offender", "custody"],
                               "extensions": {"code": "FORBIDDEN"}}]


async def test_a_denied_field_in_a_list_has_one_error_at_its_list_path(gql):
    body = await gql("{ caseload(first: 20) { edges { node { offender { registrations "
                     "{ typeCode } } } } } }", org="C01", scopes=("read",))
    assert codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["path"] == ["caseload", "edges", "@", "node", "offender",
                                         "registrations"]


async def test_prison_sees_people_held_there_and_their_custody_but_not_cases(gql):
    held = await gql('{ offender(crn: "X000004") { crn custody { cellLocation } cases { id } } }',
                     org="MDI")
    assert held["data"]["offender"]["custody"]["cellLocation"]
    assert held["data"]["offender"]["cases"] is None
    assert codes(held) == ["FORBIDDEN"]
    assert (await gql('{ offender(crn: "X000001") { crn } }', org="MDI"))["data"] == {
        "offender": None}
    caseload = await gql("{ caseload { totalCount } }", org="MDI")
    assert caseload["data"]["caseload"] is None and codes(caseload) == ["FORBIDDEN"]


async def test_each_operation_of_a_batch_is_judged_on_its_own(client):
    from tests.conftest import bearer

    response = await client.post("/graphql", headers=bearer("C16", ("read",)), json=[
        {"query": '{ offender(crn: "X000001") { crn } }'},
        {"query": '{ offender(crn: "X000002") { crn custody { status } } }'},
        {"query": '{ offender(crn: "X000002") { crn } }'}])
    first, second, third = response.json()
    assert first == {"data": {"offender": None}, "extensions": first["extensions"]}
    assert "X000001" not in response.text
    assert second["data"]["offender"] == {"crn": "X000002", "custody": None}
    assert codes(second) == ["FORBIDDEN"]
    assert third["data"]["offender"] == {"crn": "X000002"} and "errors" not in third
