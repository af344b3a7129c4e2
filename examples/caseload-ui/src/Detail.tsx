import { useQuery } from "@apollo/client/react";
import { type Gap, gapAt } from "./backends";
import { FreshnessBadge, OutageBanner } from "./Badges";
import { GapText, graphqlErrors } from "./Caseload";
import { date, fullName } from "./format";
import { OFFENDER } from "./operations";

/** One person: identity, manager, custody and every release date, each with its source. */
export function Detail({ crn, onBack }: { crn: string; onBack: () => void }) {
  const { data, error, loading } = useQuery(OFFENDER, { variables: { crn }, errorPolicy: "all" });
  const errors = graphqlErrors(error);
  const person = data?.offender;
  return (
    <main className="detail">
      <button type="button" className="link back" onClick={onBack}>← Caseload</button>
      <OutageBanner errors={errors} />
      {loading && !data && <p role="status">Loading…</p>}
      {data && !person && <p>No record {crn} that you may see.</p>}
      {person && (
        <>
          <h1>{person.accessRestricted ? "Restricted record" : fullName(person.name)}</h1>
          {person.accessMessage && <p className="notice">{person.accessMessage}</p>}
          <section aria-labelledby="who">
            <h2 id="who">Identity <FreshnessBadge provenance={person.provenance} /></h2>
            <dl>
              <dt>CRN</dt><dd>{person.crn}</dd>
              <dt>Prisoner number</dt><dd>{person.nomsNumber ?? "–"}</dd>
              <dt>PNC</dt><dd>{person.pncNumber ?? "–"}</dd>
              <dt>Date of birth</dt><dd>{date(person.dateOfBirth)}</dd>
              <dt>Offender manager</dt>
              <dd>{[person.offenderManager?.forenames, person.offenderManager?.surname].filter(Boolean).join(" ") || "–"}
                {person.offenderManager?.team?.name && `, ${person.offenderManager.team.name}`}</dd>
            </dl>
            {person.identityCheck && person.identityCheck.consistent === false && (
              <p className="notice">nDelius and NOMIS disagree on: {person.identityCheck.mismatches?.join(", ")}</p>
            )}
          </section>
          <Custody person={person} gap={gapAt(errors, ["offender", "custody"])} />
          <section aria-labelledby="cases">
            <h2 id="cases">Cases</h2>
            <ul>
              {(person.cases ?? []).map((c) => (
                <li key={c.id}>{c.sentence?.description ?? "No sentence recorded"}
                  {c.sentence?.startDate && `, from ${date(c.sentence.startDate)}`}
                  {c.active ? " (active)" : ""}</li>
              ))}
            </ul>
          </section>
        </>
      )}
    </main>
  );
}

type Person = NonNullable<import("./operations").DetailData["offender"]>;

function Custody({ person, gap }: { person: Person; gap: Gap | null }) {
  const custody = person.custody;
  const dates = custody?.sentenceDates;
  const rows: [string, string | null | undefined][] = [
    ["HDC eligibility (HDCED)", dates?.homeDetentionCurfewEligibilityDate],
    ["Conditional release (CRD)", dates?.conditionalReleaseDate],
    ["Release date", dates?.releaseDate],
    ["Licence expiry", dates?.licenceExpiryDate],
    ["Sentence expiry", dates?.sentenceExpiryDate],
  ];
  return (
    <section aria-labelledby="custody">
      <h2 id="custody">Custody <FreshnessBadge provenance={custody?.provenance} /></h2>
      {gap ? <p><GapText gap={gap} /></p>
        : !custody ? <p>Not in custody.</p> : (
          <dl>
            <dt>Prison</dt><dd data-testid="detail-prison">{custody.establishment?.name ?? "–"}</dd>
            <dt>Prisoner number</dt><dd>{custody.prisonNumber ?? "–"}</dd>
            <dt>Cell</dt><dd>{custody.cellLocation ?? "–"}</dd>
            {rows.map(([label, value]) => (
              <div key={label} className="pair"><dt>{label}</dt><dd>{date(value)}</dd></div>
            ))}
          </dl>
        )}
    </section>
  );
}
