import type { GraphQLFormattedError } from "graphql";
import { outages, outageText } from "./backends";
import { freshness } from "./freshness";
import type { Provenance } from "./operations";

/** "from NOMIS, 3 minutes old", and a "stale" mark when a cached copy stood in for it. */
export function FreshnessBadge({ provenance }: { provenance: Provenance | null | undefined }) {
  const f = freshness(provenance);
  if (!f) return null;
  return (
    <span className={f.stale ? "badge stale" : "badge"} data-testid="freshness">
      {f.stale && <strong>stale </strong>}
      {f.text}
    </span>
  );
}

/** One line per backend that failed: the page still shows everything else. */
export function OutageBanner({ errors }: { errors: readonly GraphQLFormattedError[] }) {
  const found = outages(errors);
  if (found.length === 0) return null;
  return (
    <div className="banner" role="alert" data-testid="outage-banner">
      {found.map((o) => (
        <p key={`${o.provider}-${o.code}`}>{outageText(o)}</p>
      ))}
    </div>
  );
}
