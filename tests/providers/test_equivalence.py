"""For the same seed, the gateway answers the same whether its providers are embedded or HTTP."""

import pytest

PRINCIPALS = [
    {"org": "C01", "username": "demo.officer", "staff": "C01T101"},
    {"org": "C01"},
    {"org": "C16", "scopes": ("read", "custody:read")},
    {"org": "N02"},
    {"org": "MDI"},
    {"org": "HQ"},
]
QUERIES = [
    """{ caseload(first: 30) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
        id number active convictionDate offences { code description main offenceDate }
        sentence { description typeCode length lengthUnits startDate expectedEndDate }
        requirements { category subcategory length lengthUnit active }
        custodialStatus institutionCode keyDates { conditionalReleaseDate hdcEligibilityDate }
        managingProvider { code name type }
        offender { crn nomsNumber pncNumber croNumber name { forename middleNames surname }
          aliases { forename surname } dateOfBirth gender probationStatus tier accessRestricted
          offenderManager { staffCode forenames surname unallocated team { code name }
            fromDate toDate active allocationReason provider { code name type } }
          registrations { typeCode typeDescription riskColour startDate nextReviewDate level
            category active }
          custody { bookingId bookNumber prisonNumber active status inOutStatus cellLocation
            legalStatus imprisonmentStatus category receptionDate
            establishment { code name type }
            sentenceDates { sentenceStartDate homeDetentionCurfewEligibilityDate
              conditionalReleaseDate licenceExpiryDate sentenceExpiryDate
              topupSupervisionExpiryDate tariffDate releaseDate confirmedReleaseDate }
            movements { movementType direction fromAgency toAgency reasonCode movementDate }
          } } } } } }""",
    """{ caseload(first: 7, after: "Y2cxOjk=") { totalCount edges { node { id offender {
        crn } } } } }""",
    """{ a: offender(crn: "X000004") { crn cases { id keyDates { conditionalReleaseDate } }
           custody { prisonNumber sentenceDates { releaseDate } } }
         b: offender(crn: "X000034") { nomsNumber custody { prisonNumber } }
         c: offender(crn: "X000041") { crn accessRestricted accessMessage name { surname } }
         d: offender(crn: "X000010") { offenderManager { provider { code } } } }""",
    """{ a: offenderByNomsNumber(nomsNumber: "A0030AA") { crn }
         b: offenderByNomsNumber(nomsNumber: "A0004AA") { crn }
         c: offenderByNomsNumber(nomsNumber: "A0032AA") { crn } }""",
    """{ offenders(search: "X0000", first: 20) { totalCount edges { node { crn name {
        surname } } } } }""",
    """{ establishment(code: "MDI") { code name type prisoners(first: 10) { totalCount edges {
        node { prisonNumber offender { crn } } } } } }""",
    """{ establishment(code: "NOPE") { code } }""",
]


def _comparable(body):
    return {"data": body.get("data"), "errors": body.get("errors")}


@pytest.mark.parametrize("query", QUERIES, ids=[f"q{i}" for i in range(len(QUERIES))])
@pytest.mark.parametrize("principal", PRINCIPALS, ids=lambda p: p["org"] + (
    "-person" if "username" in p else ""))
async def test_embedded_and_http_answer_alike(gql, http_gql, query, principal):
    embedded = await gql(query, **principal)
    over_http = await http_gql(query, **principal)
    assert _comparable(over_http) == _comparable(embedded)


async def test_the_compared_answers_are_rich_not_empty(http_gql):
    body = await http_gql(QUERIES[0], **PRINCIPALS[0])
    edges = body["data"]["caseload"]["edges"]
    assert len(edges) == 30 and "errors" not in body
    offenders = [e["node"]["offender"] for e in edges]
    assert any(o["custody"] and o["custody"]["sentenceDates"] for o in offenders)
    assert any(o["registrations"] for o in offenders)
    assert {s["provider"] for s in body["extensions"]["sources"]} == {"delius", "nomis"}
