"""The root query: entry points only; every record they return is judged by `visibility`."""

from __future__ import annotations

from contextlib import nullcontext

import strawberry

from providers import related
from providers.identifiers import is_crn, is_noms_number
from resolvers import lookahead, visibility
from resolvers.cases import Case
from resolvers.context import Context, Info
from resolvers.custody import Establishment
from resolvers.errors import BadUserInput
from resolvers.offenders import Offender, offender_by_crn, offender_by_noms
from resolvers.pagination import Connection, connection, decode_cursor, page_size


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


def _denied(ctx: Context, field: str) -> bool:
    return not ctx.may("Query", field)


def _check(valid: bool, what: str, example: str) -> None:
    if not valid:
        raise BadUserInput(f"{what} must look like {example}")


@strawberry.type(description="Offender, case and custody data across the probation and prison "
                             "systems, limited to what your organisation may see.")
class Query:
    @strawberry.field(description="A person on probation by case reference number (CRN). Null "
                                  "when unknown or outside your reach: the two are the same.")
    async def offender(self, info: Info, crn: strawberry.ID) -> Offender | None:
        _check(is_crn(crn), "crn", "X123456")
        return None if _denied(info.context, "offender") else await offender_by_crn(
            info.context, crn)

    @strawberry.field(description="A person on probation by NOMS (prisoner) number.")
    async def offender_by_noms_number(self, info: Info, noms_number: strawberry.ID
                                      ) -> Offender | None:
        _check(is_noms_number(noms_number), "nomsNumber", "A1234BC")
        if _denied(info.context, "offenderByNomsNumber"):
            return None
        return await offender_by_noms(info.context, noms_number)

    @strawberry.field(description="Search people by name, CRN or NOMS number; every word must "
                                  "match.")
    async def offenders(self, info: Info, search: str, first: int | None = None,
                        after: str | None = None) -> Connection[Offender] | None:
        ctx = info.context
        limit, offset = page_size(first), decode_cursor(after, key := ("offenders", search))
        if len(search.strip()) < 2 or len(search) > 100:
            raise BadUserInput("search must be 2 to 100 characters")
        if _denied(ctx, "offenders"):
            return None
        page = await visibility.filtered_page(
            ctx, "offender_search", "Offender", {"text": search}, offset, limit)
        return connection(page.items, offset, page.total, lambda p: Offender.build(p, ctx), key)

    @strawberry.field(description="People your organisation supervises, each as their current "
                                  "case (latest active event), by CRN.")
    async def caseload(self, info: Info, first: int | None = None, after: str | None = None,
                       filter: CaseloadFilter | None = None) -> Connection[Case] | None:
        ctx = info.context
        limit, offset = page_size(first), decode_cursor(after, key := ("caseload", filter))
        if _denied(ctx, "caseload"):
            return None
        f = filter or CaseloadFilter()
        criteria = {k: v for k, v in (("team", f.team_code),
                                      ("staff", f.staff_code), ("provider", f.provider))
                    if v is not None}
        early = lookahead.EarlyCustody(ctx, info.selected_fields, "caseload", "edges", "node",
                                       "offender", most=limit) \
            if ctx.may("Case", "offender") else None
        try:
            with related.listening(early) if early else nullcontext():
                page = await visibility.filtered_page(ctx, "caseload", "Case", criteria,
                                                      offset, limit)
            people = await ctx.loaders.load_many("offender", [c.crn for c in page.items])
            if early is not None:
                await early.finish(people)
        finally:
            if early is not None:
                early.cancel()
        limited = {p.crn for p in people if p is not None and ctx.limited(p)}
        return connection(page.items, offset, page.total, lambda c: Case.redacted(c, ctx)
                          if c.crn in limited else Case.build(c, ctx), key)

    @strawberry.field(description="A prison or other agency by NOMIS agency id.")
    async def establishment(self, info: Info, code: strawberry.ID) -> Establishment | None:
        if _denied(info.context, "establishment") or not 2 <= len(code) <= 12:
            return None
        found = await info.context.loaders.load("establishment", code.upper())
        return Establishment.build(found, info.context) if found else None

    @strawberry.field(description="Who you are, as the gateway sees you.")
    def viewer(self, info: Info) -> Viewer:
        p = info.context.principal
        return Viewer(subject=p.subject, organisation=p.org, organisation_type=p.org_type,
                      scopes=sorted(p.scopes), staff_code=p.staff_code)
