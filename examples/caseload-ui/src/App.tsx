import { ServerError } from "@apollo/client";
import { useQuery } from "@apollo/client/react";
import { useEffect, useState } from "react";
import { Caseload, type Paging } from "./Caseload";
import { Detail } from "./Detail";
import { VIEWER } from "./operations";

/** The signed-in page: who you are, then your caseload or one person (`#/offender/CRN`). */
export function App({ onSignOut }: { onSignOut: (notice?: string) => void }) {
  const [route, setRoute] = useState(location.hash);
  const [paging, setPaging] = useState<Paging>({ mine: true, cursors: [null] });
  useEffect(() => {
    const follow = () => setRoute(location.hash);
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, []);
  const { data, error } = useQuery(VIEWER);
  useEffect(() => {
    if (ServerError.is(error) && error.statusCode === 401) {
      onSignOut("Your sign-in has expired or was not accepted: sign in again.");
    }
  }, [error, onSignOut]);
  const crn = /^#\/offender\/([A-Z0-9]+)$/.exec(route)?.[1];
  const viewer = data?.viewer;
  return (
    <>
      <header>
        <a href="#/" className="brand">Caseload</a>
        {viewer && <span className="who" data-testid="viewer">{viewer.organisation} · {viewer.subject}</span>}
        <button type="button" className="secondary" onClick={() => onSignOut()}>Sign out</button>
      </header>
      {!viewer && !error && <p role="status">Signing in…</p>}
      {error && !viewer && !ServerError.is(error) && <p role="alert" className="banner">{error.message}</p>}
      {viewer && (crn
        ? <Detail crn={crn} onBack={() => { location.hash = "#/"; }} />
        : <Caseload viewer={viewer} paging={paging} onPaging={setPaging}
            onOpen={(c) => { location.hash = `#/offender/${c}`; }} />)}
    </>
  );
}
