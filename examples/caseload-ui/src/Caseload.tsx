import { CombinedGraphQLErrors } from "@apollo/client";
import { useQuery } from "@apollo/client/react";
import type { GraphQLFormattedError } from "graphql";
import { type Gap, gapAt } from "./backends";
import { FreshnessBadge, OutageBanner } from "./Badges";
import { date, fullName } from "./format";
import { CASELOAD, type Person, type Viewer } from "./operations";

export const PAGE_SIZE = 20;

/** Which caseload, and the `after` cursor of each page visited (the last is this page's). */
export interface Paging {
  mine: boolean;
  cursors: (string | null)[];
}

interface Props {
  viewer: Viewer;
  paging: Paging;
  onPaging: (p: Paging) => void;
  onOpen: (crn: string) => void;
}

export function graphqlErrors(error: unknown): readonly GraphQLFormattedError[] {
  return CombinedGraphQLErrors.is(error) ? error.errors : [];
}

export function Caseload({ viewer, paging, onPaging, onOpen }: Props) {
  const mine = paging.mine && viewer.staffCode !== null;
  const after = paging.cursors[paging.cursors.length - 1];
  const { data, error, loading } = useQuery(CASELOAD, {
    variables: { first: PAGE_SIZE, after, staffCode: mine ? viewer.staffCode : null },
    errorPolicy: "all", // a backend down is partial data and a banner, not an error page
  });
  const errors = graphqlErrors(error);
  const page = data?.caseload;
  const start = (paging.cursors.length - 1) * PAGE_SIZE;
  return (
    <main>
      <div className="toolbar">
        {viewer.staffCode && (
          <div className="scope" role="group" aria-label="Whose cases">
            <button type="button" aria-pressed={mine} onClick={() => onPaging({ mine: true, cursors: [null] })}>My cases</button>
            <button type="button" aria-pressed={!mine} onClick={() => onPaging({ mine: false, cursors: [null] })}>All of {viewer.organisation}</button>
          </div>
        )}
        {page && (
          <p className="count" data-testid="page-range">
            {page.totalCount === 0 ? "No one" : `${start + 1}–${start + page.edges.length} of ${page.totalCount}`}
          </p>
        )}
      </div>
      <OutageBanner errors={errors} />
      {loading && !page && <p role="status">Loading the caseload…</p>}
      {error && !page && !errors.length && <p role="alert" className="banner">The caseload could not be loaded: {error.message}</p>}
      {page && (
        <table className="caseload">
          <thead>
            <tr><th>Name</th><th>Prison</th><th>Prisoner number</th><th>HDCED</th><th>CRD</th><th>Source</th></tr>
          </thead>
          <tbody>
            {page.edges.map((edge, i) => edge.node.offender && (
              <Row key={edge.node.offender.crn} person={edge.node.offender} onOpen={onOpen}
                custodyGap={gapAt(errors, ["caseload", "edges", i, "node", "offender", "custody"])}
                datesGap={gapAt(errors, ["caseload", "edges", i, "node", "offender", "custody",
                  "sentenceDates"])} />
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <nav className="pager" aria-label="Pages">
          <button type="button" disabled={paging.cursors.length === 1}
            onClick={() => onPaging({ ...paging, cursors: paging.cursors.slice(0, -1) })}>Previous</button>
          <button type="button" disabled={!page.pageInfo.hasNextPage}
            onClick={() => onPaging({ ...paging, cursors: [...paging.cursors, page.pageInfo.endCursor] })}>Next</button>
        </nav>
      )}
    </main>
  );
}

interface RowProps {
  person: Person;
  custodyGap: Gap | null;
  datesGap: Gap | null;
  onOpen: (crn: string) => void;
}

/** What stands in a cell whose value is missing, and why. */
export function GapText({ gap }: { gap: Gap }) {
  return gap === "denied"
    ? <span className="denied">Not shown to you</span>
    : <span className="unavailable">Unavailable</span>;
}

function Row({ person, custodyGap, datesGap, onOpen }: RowProps) {
  const custody = person.custody;
  const dates = custody?.sentenceDates;
  const datesMissing = custodyGap ?? datesGap;
  const prison = custodyGap ? <GapText gap={custodyGap} />
    : custody ? custody.establishment?.name ?? custody.establishment?.code ?? "–" : "Not in custody";
  return (
    <tr data-testid="person" data-crn={person.crn}>
      <td data-label="Name">
        <button type="button" className="link" onClick={() => onOpen(person.crn)}>
          {person.accessRestricted ? "Restricted record" : fullName(person.name)}
        </button>
        <span className="crn">{person.crn}</span>
      </td>
      <td data-label="Prison" data-testid="prison">{prison}</td>
      <td data-label="Prisoner number">{custody?.prisonNumber ?? person.nomsNumber ?? "–"}</td>
      <td data-label="HDCED" data-testid="hdced">{datesMissing ? <GapText gap={datesMissing} /> : date(dates?.homeDetentionCurfewEligibilityDate)}</td>
      <td data-label="CRD" data-testid="crd">{datesMissing ? <GapText gap={datesMissing} /> : date(dates?.conditionalReleaseDate)}</td>
      <td data-label="Source"><FreshnessBadge provenance={custody?.provenance ?? person.provenance} /></td>
    </tr>
  );
}
