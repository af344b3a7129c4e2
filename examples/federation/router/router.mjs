// A router in front of casegraph: Apollo Gateway composing subgraphs at start from their
// `_service { sdl }` (IntrospectAndCompose), forwarding each caller's bearer token to every
// subgraph, so casegraph authorises the caller, not the router.
//
//   SUBGRAPHS="casegraph=http://127.0.0.1:8000/subgraph,casenotes=http://127.0.0.1:8091/graphql" \
//   INTROSPECTION_TOKEN=$(.venv/bin/casegraph token --org HQ) ROUTER_PORT=4000 node router.mjs
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

// Apollo Gateway reports usage data to Apollo (and probes cloud metadata services for it)
// unless told not to: this router talks to loopback subgraphs and nothing else.
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

const subgraphs = (process.env.SUBGRAPHS ?? '')
  .split(',').filter(Boolean)
  .map((entry) => {
    const [name, url] = entry.split('=');
    return { name, url };
  });
const introspection = process.env.INTROSPECTION_TOKEN
  ? { authorization: `Bearer ${process.env.INTROSPECTION_TOKEN}` } : {};

class ForwardingSource extends RemoteGraphQLDataSource {
  willSendRequest({ request, context }) {
    if (context?.authorization) {
      request.http.headers.set('authorization', context.authorization);
    }
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({ subgraphs, introspectionHeaders: introspection }),
  buildService: ({ url }) => new ForwardingSource({ url }),
});
const server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: Number(process.env.ROUTER_PORT ?? 4000) },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
console.log(`ready ${url}`);
