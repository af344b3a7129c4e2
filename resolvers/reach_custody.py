"""Custody as the row judge sees it: through the person it was reached from, or (a prison's
roll, a global id) through everyone holding the NOMS number whom the principal may see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from providers.errors import ProviderError
from providers.records import Custody, Person
from resolvers.judge import Judge, Stub, log
from resolvers.loaders import MISSING


class CustodyJudge(Judge):
    """Judges custody records: by the Custody row rule, and hidden when every person holding
    the NOMS number whom the principal may see is one Limited Access keeps from them."""

    def custody_of(self, person: Any) -> Any:
        """The latest booking of a person handed out in full, if the principal may see it."""
        noms = getattr(person, "noms_number", None)
        if not noms or not self.is_full(person):
            return None
        raw = self.loaders.peek("custody", noms)
        if raw is not MISSING:
            judged = self._custody_via(noms, self._read(raw), person)
            if judged is not MISSING:
                return judged
        return self._custody_later(noms, person)

    async def _custody_later(self, noms: str, person: Person) -> Custody | None:
        raw = self._read(await self.loaders.load("custody", noms))
        judged = self._custody_via(noms, raw, person)
        if judged is MISSING:
            [judged] = await self.custody_judged([raw], [noms])
        return judged

    def _custody_via(self, noms: str, raw: Custody | None, person: Person) -> Any:
        """Judged without I/O when the person we came from settles it: they hold the NOMS
        number and Limited Access let them through, and filters only test membership, so a
        pass on the providers known so far is a pass."""
        if raw is None:
            self._withheld("custody", noms, lambda record: self._passes_via(record, person))
            return None
        if self._passes_via(raw, person):
            return self._hand_custody(noms, raw)
        return MISSING if "managingProviders" in self.rows("Custody").needs else None

    def _passes_via(self, record: Custody, person: Person) -> bool:
        known = frozenset({person.managing_provider} - {None})
        return self.rows("Custody")(record, {"managingProviders": known})

    async def custody(self, noms: str, *, lookup: bool = False) -> Custody | None:
        """A booking by NOMS number, reached without a person (a global id)."""
        raw = self._unread(await self.loaders.load("custody", noms))
        [judged] = await self.custody_judged([raw], [noms]) if raw is not None else [None]
        if lookup and judged is None:
            self._attempt("custody", noms, "not found" if raw is None else "refused")
        return judged

    def _hand_custody(self, key: str, record: Custody) -> Custody:
        self.received.prisoners.add(record.noms_number)
        return self.hand("custody", key, record)

    async def custody_judged(self, records: Sequence[Custody | None], keys: Sequence[str],
                             *, hand: bool = True) -> list[Custody | None]:
        """Custody reached without a person: judged by its own row rule over everyone holding
        the NOMS number, and hidden when every such person the principal may see is one
        Limited Access keeps from them."""
        rows = self.rows("Custody")
        nomses = [r.noms_number if r else "" for r in records]
        try:
            holders = await self._holders(nomses)
        except ProviderError as exc:
            log.warning("row judgement could not read who holds a NOMS number: %s", exc.code)
            return [None] * len(records)
        judged: list[Custody | None] = []
        for record, key, visible in zip(records, keys, holders, strict=True):
            providers = frozenset(p.managing_provider for _, p in visible if p.managing_provider)
            ok = record is not None and rows(record, {"managingProviders": providers}) and (
                not visible or any(isinstance(v, Person) for v, _ in visible))
            judged.append(None if not ok or record is None else
                          self._hand_custody(key, record) if hand else record)
        return judged

    async def _holders(self, nomses: Sequence[str]
                       ) -> list[list[tuple[Person | Stub, Person]]]:
        """Per NOMS number: the probation records holding it that the principal may see, each
        as (verdict, record), judged without being handed out. Records outside their reach
        play no part."""
        crn_lists = [self._unread(found) for found in
                     await self.loaders.load_many("offender_by_noms", nomses)]
        crns = sorted({crn for found in crn_lists if found for crn in found})
        raw = dict(zip(crns, map(self._unread, await self.loaders.load_many("offender", crns)),
                       strict=True))
        people = [p for p in raw.values() if p is not None]
        held = dict(zip([p.crn for p in people], await self._held_at(people), strict=True))
        verdicts = {p.crn: (self._person_verdict(p, held[p.crn]), p) for p in people}
        return [[(v, p) for c in found or () if c in verdicts
                 for v, p in [verdicts[c]] if v is not None] for found in crn_lists]
