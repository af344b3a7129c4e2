"""Each root query over HTTP, as a CRC C01 officer unless said otherwise."""

from tests.conftest import codes

PROFILE = """query($crn: ID!) { offender(crn: $crn) {
  crn nomsNumber pncNumber croNumber name { forename surname } dateOfBirth gender
  offenderManager { staffCode team { code } provider { code name type } }
  cases { id active offences { code } sentence { description } managingProvider { code } }
  custody { bookingId prisonNumber status inOutStatus cellLocation legalStatus
            establishment { code name } sentenceDates { conditionalReleaseDate releaseDate }
            movements { movementType direction } }
  registrations { typeCode riskColour }
} }"""


async def test_offender_by_crn_joins_case_and_custody(gql, dataset):
    body = await gql(PROFILE, {"crn": "X000004"})
    assert "errors" not in body
    offender = body["data"]["offender"]
    person, custody = dataset.people["X000004"], dataset.custody["A0004AA"]
    assert offender["nomsNumber"] == "A0004AA"
    assert offender["name"] == {"forename": person.forename, "surname": person.surname}
    assert offender["offenderManager"]["provider"] == {
        "code": "C01", "name": "CPA Northumbria", "type": "CRC"}
    assert offender["custody"]["bookingId"] == str(custody.booking_id)
    assert offender["custody"]["establishment"]["code"] == "MDI"
    assert offender["custody"]["status"] == "ACTIVE_IN"
    dates = dataset.sentence_dates[custody.booking_id]
    assert offender["custody"]["sentenceDates"]["conditionalReleaseDate"] == \
        dates.conditional_release_date.isoformat()
    assert offender["custody"]["movements"][0]["movementType"] == "ADM"
    assert [c["managingProvider"]["code"] for c in offender["cases"]] == ["C01"]


async def test_unknown_crn_is_null_without_error(gql):
    body = await gql("{ offender(crn: \"Z999999\") { crn } }")
    assert body["data"] == {"offender": None} and "errors" not in body


async def test_malformed_crn_is_bad_user_input(gql):
    body = await gql("{ offender(crn: \"123\") { crn } }")
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "X123456" in body["errors"][0]["message"]


async def test_offender_by_noms_number(gql):
    body = await gql("{ offenderByNomsNumber(nomsNumber: \"A0004AA\") { crn } }")
    assert body["data"]["offenderByNomsNumber"] == {"crn": "X000004"}


async def test_noms_number_held_twice_resolves_to_the_active_sentence(gql):
    body = await gql("{ offenderByNomsNumber(nomsNumber: \"A0030AA\") { crn } }", org="C05")
    assert body["data"]["offenderByNomsNumber"] == {"crn": "X000030"}


async def test_noms_number_held_twice_by_active_people_is_a_conflict_not_a_guess(gql):
    body = await gql("{ offenderByNomsNumber(nomsNumber: \"A0032AA\") { crn } }", org="HQ")
    assert body["data"]["offenderByNomsNumber"] is None
    assert codes(body) == ["CONFLICT"]


async def test_merged_noms_number_still_finds_custody(gql):
    body = await gql("{ offender(crn: \"X000034\") { nomsNumber custody { prisonNumber } } }",
                     org="C06")
    assert body["data"]["offender"] == {"nomsNumber": "A0034AB",
                                        "custody": {"prisonNumber": "A0034AA"}}


async def test_unknown_noms_number_is_null(gql):
    body = await gql("{ offenderByNomsNumber(nomsNumber: \"Z9999ZZ\") { crn } }")
    assert body["data"]["offenderByNomsNumber"] is None and "errors" not in body


async def test_search_by_name_finds_people(gql, dataset):
    person = dataset.people["X000001"]
    body = await gql("query($q: String!) { offenders(search: $q, first: 50) { totalCount "
                     "edges { node { crn } } } }", {"q": f"{person.forename} {person.surname}"})
    crns = [e["node"]["crn"] for e in body["data"]["offenders"]["edges"]]
    assert "X000001" in crns


async def test_search_too_short_is_bad_user_input(gql):
    body = await gql("{ offenders(search: \"x\") { totalCount } }")
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_establishment_and_its_prisoners(gql):
    body = await gql("{ establishment(code: \"MDI\") { code name type prisoners(first: 50) { "
                     "edges { node { prisonNumber } } } } }")
    establishment = body["data"]["establishment"]
    assert establishment["name"] == "Moorland (HMP & YOI)" and establishment["type"] == "INST"
    assert {"prisonNumber": "A0004AA"} in [e["node"] for e in establishment["prisoners"]["edges"]]


async def test_unknown_establishment_is_null(gql):
    body = await gql("{ establishment(code: \"ZZZ\") { code } }")
    assert body["data"]["establishment"] is None and "errors" not in body


async def test_viewer_describes_the_caller(gql):
    body = await gql("{ viewer { organisation organisationType staffCode scopes } }",
                     org="C16", scopes=("read",))
    assert body["data"]["viewer"] == {"organisation": "C16", "organisationType": "CRC",
                                      "staffCode": None, "scopes": ["read"]}


async def test_sources_name_the_provider_and_the_records_received(gql):
    body = await gql("{ offender(crn: \"X000004\") { crn custody { status } } }")
    [source] = body["extensions"]["sources"]
    assert source["provider"] == "embedded" and source["status"] == "ok"
    assert source["kinds"] == {"offender": {"records": 1}, "custody": {"records": 1}}
