// graphql-codegen: TypeScript types for the gateway's example operations, from the RUNNING
// gateway's introspection (its URL and a token from the environment), as a front-end team
// would point it at a deployed gateway.
const url = process.env.CASEGRAPH_URL ?? "http://127.0.0.1:8000/graphql";
const token = process.env.CASEGRAPH_TOKEN;
const out = process.env.CODEGEN_OUT ?? "generated";
const config = { scalars: { Date: "string", DateTime: "string" }, enumsAsTypes: true };

export default {
  overwrite: true,
  schema: [{ [url]: { headers: token ? { Authorization: `Bearer ${token}` } : {} } }],
  documents: ["../../gateway/examples/*.graphql"],
  generates: {
    [`${out}/schema.ts`]: { plugins: ["typescript"], config },
    [`${out}/operations.ts`]: { plugins: ["typescript-operations"], config },
  },
};
