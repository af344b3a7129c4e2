import type { Provenance } from "./operations";

/** The systems' own names, as staff know them; a provider's configured name otherwise. */
const SYSTEMS: Record<string, string> = {
  nomis: "NOMIS",
  delius: "nDelius",
  embedded: "demo data",
  crc: "your CRC's store",
};

export function systemName(provider: string | null | undefined): string {
  if (!provider) return "an unnamed source";
  return SYSTEMS[provider.toLowerCase()] ?? provider;
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"} old`;
}

/** "just now", "12 seconds old", "3 minutes old", "2 hours old", "4 days old". */
export function ageText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 5) return "just now";
  if (s < 60) return plural(s, "second");
  if (s < 3600) return plural(Math.floor(s / 60), "minute");
  if (s < 86400) return plural(Math.floor(s / 3600), "hour");
  return plural(Math.floor(s / 86400), "day");
}

export interface Freshness {
  text: string;
  stale: boolean;
}

/** What a badge says about where a value came from and how old it is. */
export function freshness(p: Provenance | null | undefined): Freshness | null {
  if (!p || !p.provider) return null;
  const age = p.ageSeconds == null ? "" : `, ${ageText(p.ageSeconds)}`;
  return { text: `from ${systemName(p.provider)}${age}`, stale: Boolean(p.stale) };
}
