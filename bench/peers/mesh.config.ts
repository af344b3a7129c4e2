// GraphQL Mesh compose: nDelius's team caseload search as a subgraph, from JSON Schemas of
// the fields the benchmark reads (the simulator answers the real probation-search shape).
// bench/peers/run.py sets DELIUS_URL; the gateway adds the OAuth2 token to each call.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

const otherIds = {
  title: 'OtherIds',
  type: 'object',
  properties: { crn: { type: 'string' }, nomsNumber: { type: 'string' } },
};
const offender = {
  title: 'Offender',
  type: 'object',
  properties: { firstName: { type: 'string' }, surname: { type: 'string' }, otherIds },
};

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadJSONSchemaSubgraph('Delius', {
        endpoint: process.env.DELIUS_URL,
        operations: [
          {
            type: 'Query',
            field: 'teamCaseload',
            path: '/team-codes?page={args.page}&size={args.size}',
            method: 'POST',
            argTypeMap: { page: { type: 'integer' }, size: { type: 'integer' } },
            requestSchema: { type: 'array', items: { type: 'string' } },
            responseSchema: {
              title: 'OffenderPage',
              type: 'object',
              properties: {
                totalElements: { type: 'integer' },
                content: { type: 'array', items: offender },
              },
            },
          },
        ],
      }),
    },
  ],
});
