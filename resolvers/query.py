"""The root query: entry points only. Records come from the row judge (`resolvers.reach`), and
a root field the principal may not read is nulled by the executor before it runs."""

from __future__ import annotations

import asyncio
from contextlib import nullcontext

import strawberry

from providers import related
from providers.identifiers import is_crn, is_noms_number
from resolvers import lookahead
from resolvers.cases import Case
from resolvers.context import Info
from resolvers.custody import Establishment
from resolvers.errors import BadUserInput
from resolvers.lists import judged_page
from resolvers.nodes import MAX_NODES, Node, parse_global_id, resolve_node
from resolvers.offenders import Offender, offender_by_crn, offender_by_noms
from resolvers.pagination import Connection, connection, window
from resolvers.reach import CaseStub, Stub, then


@strawberry.input(description="Narrows a caseload.")
class CaseloadFilter:
    team_code: str | None = strawberry.field(default=None, description="One team's cases.")
    staff_code: str | None = strawberry.field(default=None, description="One officer's cases.")
    provider: str | None = strawberry.field(
        default=None, description="A provider's cases (only your own unless your role spans more).")


@strawberry.type(description="The caller, as the gateway sees them.")
class Viewer:
    subject: str = strawberry.field(description="Token subject.")
    organisation: str = strawberry.field(description="Organisation code.")
    organisation_type: str = strawberry.field(description="CRC, NPS, PRISON or HQ.")
    scopes: list[str] = strawberry.field(description="Scopes granted.")
    staff_code: str | None = strawberry.field(description="Staff code, for people.")


def _check(valid: bool, what: str, example: str) -> None:
    if not valid:
        raise BadUserInput(f"{what} must look like {example}")


@strawberry.type(description="Offender, case and custody data across the probation and prison "
                             "systems, limited to what your organisation may see.")
class Query:
    @strawberry.field(description="A person on probation by case reference number (CRN). Null "
                                  "when unknown or outside your reach: the two are the same.")
    def offender(self, info: Info, crn: strawberry.ID) -> Offender | None:
        _check(is_crn(crn), "crn", "X123456")
        return offender_by_crn(info.context, crn)

    @strawberry.field(description="A person on probation by NOMS (prisoner) number.")
    async def offender_by_noms_number(self, info: Info, noms_number: strawberry.ID
                                      ) -> Offender | None:
        _check(is_noms_number(noms_number), "nomsNumber", "A1234BC")
        return await offender_by_noms(info.context, noms_number, lookup=True)

    @strawberry.field(description="Search people by name, CRN or NOMS number; every word must "
                                  "match.")
    async def offenders(self, info: Info, search: str, first: int | None = None,
                        after: str | None = None, last: int | None = None,
                        before: str | None = None) -> Connection[Offender] | None:
        ctx = info.context
        wanted = window(key := ("offenders", search), first, after, last, before)
        if len(search.strip()) < 2 or len(search) > 100:
            raise BadUserInput("search must be 2 to 100 characters")
        terms = search.lower().split()

        def by_crn_alone(stub: Stub | CaseStub) -> bool:
            return all(term in stub.crn.lower() for term in terms)
        page = await judged_page(ctx.reach, "offender_search", {"text": search}, wanted,
                                 stub_matches=by_crn_alone, order=lambda p: p.crn)
        return connection(page.items, page.offset, page.total, Offender.build, key)

    @strawberry.field(description="People your organisation supervises, each as their current "
                                  "case (latest active event), by CRN.")
    async def caseload(self, info: Info, first: int | None = None, after: str | None = None,
                       filter: CaseloadFilter | None = None, last: int | None = None,
                       before: str | None = None) -> Connection[Case] | None:
        ctx = info.context
        wanted = window(key := ("caseload", filter), first, after, last, before)
        f = filter or CaseloadFilter()
        criteria = {k: v for k, v in (("team", f.team_code),
                                      ("staff", f.staff_code), ("provider", f.provider))
                    if v is not None}
        early = lookahead.EarlyCustody.for_caseload(ctx, info.selected_fields, wanted.limit)
        try:
            with related.listening(early) if early else nullcontext():
                page = await judged_page(ctx.reach, "caseload", criteria, wanted)
            if early is not None:
                await early.finish([c.crn for c in page.items])
        finally:
            if early is not None:
                early.cancel()
        return connection(page.items, page.offset, page.total, Case.build, key)

    @strawberry.field(description="A prison or other agency by NOMIS agency id.")
    def establishment(self, info: Info, code: strawberry.ID) -> Establishment | None:
        if not 2 <= len(code) <= 12:
            return None
        return then(info.context.reach.reference("establishment", code.upper()),
                    Establishment.built)

    @strawberry.field(description="Any object by its global `id` (Relay). Null when unknown or "
                                  "outside your reach: the two are the same.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info.context, id)

    @strawberry.field(description=f"Objects by their global ids, in order (at most {MAX_NODES}).")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None] | None:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"`ids` holds at most {MAX_NODES} ids, not {len(ids)}")
        for value in ids:
            parse_global_id(value)  # every id checked before any is looked up
        return list(await asyncio.gather(*(resolve_node(info.context, i) for i in ids)))

    @strawberry.field(description="Who you are, as the gateway sees you.")
    def viewer(self, info: Info) -> Viewer:
        p = info.context.principal
        return Viewer(subject=p.subject, organisation=p.org, organisation_type=p.org_type,
                      scopes=sorted(p.scopes), staff_code=p.staff_code)
