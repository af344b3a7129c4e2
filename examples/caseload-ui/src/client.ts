import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import type { DocumentNode } from "graphql";
import manifest from "./persisted-query-manifest.json";

// Each operation's sha256, computed at build time (`npm run manifest`): no hashing in the
// browser, which has no crypto.subtle outside https. (@apollo/persisted-query-lists does the
// same, but as CommonJS it pulls all of graphql-js into the bundle.)
const ids = new Map(manifest.operations.map((op) => [op.name, op.id]));

function persistedId(document: DocumentNode): string {
  const operation = document.definitions.find((d) => d.kind === "OperationDefinition");
  const id = ids.get(operation?.name?.value ?? "");
  if (!id) throw new Error("an operation missing from the manifest: run `npm run manifest`");
  return id;
}

/** Apollo Client for casegraph: a bearer token on every request, and automatic persisted
 * queries: the hash alone, and the text once if the gateway has not seen it yet. */
export function makeClient(token: () => string | null, uri = "/graphql"): ApolloClient {
  const auth = new SetContextLink(({ headers }) => ({
    headers: { ...headers, authorization: `Bearer ${token() ?? ""}` },
  }));
  const persisted = new PersistedQueryLink({ generateHash: persistedId });
  return new ApolloClient({
    link: ApolloLink.from([auth, persisted, new HttpLink({ uri })]),
    cache: new InMemoryCache({
      typePolicies: { Offender: { keyFields: ["crn"] }, Establishment: { keyFields: ["code"] } },
    }),
    clientAwareness: { name: "caseload-ui", version: "0.1.0" },
  });
}
