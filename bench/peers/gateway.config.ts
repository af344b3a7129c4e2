// Hive Gateway over the composed supergraph. Each caseload row is joined to its convictions
// (nDelius), its prisoner record (prisoner search) and its sentence dates (prison-api), each
// join one batched call per request (DataLoader), as casegraph makes them. Every backend call
// carries an OAuth2 client-credentials token, renewed before it expires, as casegraph's are.
import DataLoader from 'dataloader';
import { defineConfig } from '@graphql-hive/gateway';

const DELIUS = process.env.DELIUS_URL as string;
const NOMIS = process.env.NOMIS_URL as string;
const BASIC = 'Basic ' + Buffer.from(`${process.env.CLIENT_ID}:${process.env.CLIENT_SECRET}`)
  .toString('base64');
const tokens = new Map<string, { value: Promise<string>; expires: number }>();

function token(base: string): Promise<string> {
  const held = tokens.get(base);
  if (held && held.expires > Date.now()) return held.value;
  const value = fetch(`${base}/auth/oauth/token?grant_type=client_credentials`,
    { method: 'POST', headers: { Authorization: BASIC } })
    .then((r) => r.json()).then((j: any) => j.access_token as string);
  tokens.set(base, { value, expires: Date.now() + 240_000 });
  return value;
}

async function post(base: string, path: string, body: unknown): Promise<any[]> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${await token(base)}`, 'Content-Type': 'application/json' },
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

function loaders(context: any) {
  if (!context.peerLoaders) {
    context.peerLoaders = {
      convictions: new DataLoader(async (crns: readonly string[]) => {
        const found = await post(DELIUS, '/convictions', crns);
        const byCrn = new Map(found.map((e: any) => [e.crn, e.convictions]));
        return crns.map((c) => byCrn.get(c) ?? null);
      }),
      prisoners: new DataLoader(async (numbers: readonly string[]) => {
        const found = await post(NOMIS, '/prisoner-search/prisoner-numbers',
          { prisonerNumbers: numbers });
        const byNumber = new Map(found.map((p: any) => [p.prisonerNumber, p]));
        return numbers.map((n) => byNumber.get(n) ?? null);
      }),
      sentences: new DataLoader(async (bookings: readonly number[]) => {
        const found = await post(NOMIS, '/api/offender-sentences/bookings', bookings);
        const byBooking = new Map(found.map((s: any) => [Number(s.bookingId), s.sentenceDetail]));
        return bookings.map((b) => byBooking.get(b) ?? null);
      }),
    };
  }
  return context.peerLoaders;
}

export const gatewayConfig = defineConfig({
  supergraph: './supergraph.graphql',
  plugins: () => [{
    // The composed subgraph's calls to nDelius: the same token, added as they leave.
    async onFetch({ url, options, setOptions }: any) {
      if (url.startsWith(DELIUS)) {
        setOptions({ ...options, headers: { ...(options.headers ?? {}),
          Authorization: `Bearer ${await token(DELIUS)}` } });
      }
    },
  }],
  additionalTypeDefs: /* GraphQL */ `
    type PeerConviction { convictionId: String active: Boolean }
    type PeerSentence { conditionalReleaseDate: String homeDetentionCurfewEligibilityDate: String }
    type PeerPrisoner { prisonerNumber: String prisonId: String prisonName: String status: String
                        bookingId: String sentence: PeerSentence }
    extend type Offender { convictions: [PeerConviction] prisoner: PeerPrisoner }
  `,
  additionalResolvers: {
    Offender: {
      convictions: {
        selectionSet: '{ otherIds { crn } }',
        resolve: (root: any, _args: unknown, context: any) =>
          loaders(context).convictions.load(root.otherIds.crn),
      },
      prisoner: {
        selectionSet: '{ otherIds { nomsNumber } }',
        resolve: (root: any, _args: unknown, context: any) =>
          root.otherIds?.nomsNumber ? loaders(context).prisoners.load(root.otherIds.nomsNumber) : null,
      },
    },
    PeerConviction: { convictionId: (c: any) => String(c.convictionId) },
    PeerPrisoner: {
      sentence: (p: any, _args: unknown, context: any) =>
        p.bookingId ? loaders(context).sentences.load(Number(p.bookingId)) : null,
    },
  },
});
