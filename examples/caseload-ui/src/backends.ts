import type { GraphQLFormattedError } from "graphql";
import { systemName } from "./freshness";

/** A backend that failed while answering: which, how, and how many values it left out. */
export interface Outage {
  provider: string;
  code: string;
  missing: number;
}

const HOW: Record<string, string> = {
  BACKEND_UNAVAILABLE: "is not answering",
  BACKEND_TIMEOUT: "is too slow to answer",
  BACKEND_BAD_DATA: "sent data that could not be read",
};

function isBackendError(e: GraphQLFormattedError): boolean {
  const code = e.extensions?.code;
  return typeof code === "string" && code.startsWith("BACKEND_");
}

/** One outage per (provider, code), from the errors of a partial answer. */
export function outages(errors: readonly GraphQLFormattedError[] | undefined): Outage[] {
  const found = new Map<string, Outage>();
  for (const e of errors ?? []) {
    if (!isBackendError(e)) continue;
    const provider = String(e.extensions?.provider ?? "a backend");
    const code = String(e.extensions?.code);
    const key = `${provider}\u0000${code}`;
    const seen = found.get(key) ?? { provider, code, missing: 0 };
    found.set(key, { ...seen, missing: seen.missing + 1 });
  }
  return [...found.values()];
}

export function outageText(o: Outage): string {
  const how = HOW[o.code] ?? "failed";
  const what = o.missing === 1 ? "1 value is" : `${o.missing} values are`;
  return `${systemName(o.provider)} ${how}: ${what} missing below; the rest is shown.`;
}

/** Why the value at `path` is missing, when an error says so: its backend failed, or the
 * caller may not read it (FORBIDDEN; in a list, `@` in the error's path stands for every item). */
export type Gap = "unavailable" | "denied";

export function gapAt(errors: readonly GraphQLFormattedError[] | undefined,
  path: readonly (string | number)[]): Gap | null {
  for (const e of errors ?? []) {
    const at = e.path ?? [];
    const covers = at.length === path.length
      && at.every((step, i) => step === "@" || String(step) === String(path[i]));
    if (!covers) continue;
    if (isBackendError(e)) return "unavailable";
    if (e.extensions?.code === "FORBIDDEN") return "denied";
  }
  return null;
}
