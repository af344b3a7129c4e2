import { gql, type TypedDocumentNode } from "@apollo/client";

export interface Provenance {
  provider: string | null;
  ageSeconds: number | null;
  stale: boolean | null;
  fromCache: boolean | null;
}

export interface SentenceDates {
  homeDetentionCurfewEligibilityDate: string | null;
  conditionalReleaseDate: string | null;
  licenceExpiryDate?: string | null;
  sentenceExpiryDate?: string | null;
  releaseDate?: string | null;
  provenance: Provenance | null;
}

export interface Custody {
  prisonNumber: string | null;
  status: string | null;
  cellLocation?: string | null;
  establishment: { code: string; name: string | null } | null;
  sentenceDates: SentenceDates | null;
  provenance: Provenance | null;
}

export interface Person {
  crn: string;
  nomsNumber: string | null;
  accessRestricted: boolean;
  name: { forename: string | null; surname: string | null } | null;
  custody: Custody | null;
  provenance: Provenance | null;
}

export interface Viewer {
  organisation: string;
  staffCode: string | null;
  subject: string;
}

export const VIEWER: TypedDocumentNode<{ viewer: Viewer }, Record<string, never>> = gql`
  query Viewer {
    viewer { organisation staffCode subject }
  }
`;

export interface CaseloadData {
  caseload: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string; offender: Person | null } }[];
  } | null;
}

export const CASELOAD: TypedDocumentNode<
  CaseloadData,
  { first: number; after: string | null; staffCode: string | null }
> = gql`
  query CaseloadPage($first: Int!, $after: String, $staffCode: String) {
    caseload(first: $first, after: $after, filter: { staffCode: $staffCode }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          offender {
            crn
            nomsNumber
            accessRestricted
            name { forename surname }
            provenance { provider ageSeconds stale fromCache }
            custody {
              prisonNumber
              status
              establishment { code name }
              provenance { provider ageSeconds stale fromCache }
              sentenceDates {
                homeDetentionCurfewEligibilityDate
                conditionalReleaseDate
                provenance { provider ageSeconds stale fromCache }
              }
            }
          }
        }
      }
    }
  }
`;

export interface DetailData {
  offender: (Person & {
    pncNumber: string | null;
    dateOfBirth: string | null;
    accessMessage: string | null;
    offenderManager: {
      forenames: string | null;
      surname: string | null;
      team: { name: string | null } | null;
      provider: { code: string; name: string | null } | null;
    } | null;
    identityCheck: { consistent: boolean | null; mismatches: string[] | null } | null;
    cases: {
      id: string;
      active: boolean | null;
      sentence: { description: string | null; startDate: string | null } | null;
    }[] | null;
  }) | null;
}

export const OFFENDER: TypedDocumentNode<DetailData, { crn: string }> = gql`
  query OffenderDetail($crn: ID!) {
    offender(crn: $crn) {
      crn
      nomsNumber
      pncNumber
      dateOfBirth
      accessRestricted
      accessMessage
      name { forename surname }
      provenance { provider ageSeconds stale fromCache }
      offenderManager { forenames surname team { name } provider { code name } }
      identityCheck { consistent mismatches }
      cases { id active sentence { description startDate } }
      custody {
        prisonNumber
        status
        cellLocation
        establishment { code name }
        provenance { provider ageSeconds stale fromCache }
        sentenceDates {
          homeDetentionCurfewEligibilityDate
          conditionalReleaseDate
          licenceExpiryDate
          sentenceExpiryDate
          releaseDate
          provenance { provider ageSeconds stale fromCache }
        }
      }
    }
  }
`;
