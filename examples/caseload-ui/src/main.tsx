import { ApolloProvider } from "@apollo/client/react";
import { StrictMode, useCallback, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { makeClient } from "./client";
import { SignIn } from "./SignIn";
import "./styles.css";

const KEY = "casegraph.token"; // this tab only: gone when it closes

function Root() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(KEY));
  const [notice, setNotice] = useState<string>();
  // A new client per sign-in, so one person's cached answers never show to the next.
  const client = useMemo(() => makeClient(() => token), [token]);
  const signIn = (t: string) => {
    sessionStorage.setItem(KEY, t);
    setNotice(undefined);
    setToken(t);
  };
  const signOut = useCallback((why?: string) => {
    sessionStorage.removeItem(KEY);
    setNotice(why);
    setToken(null);
    location.hash = "#/";
  }, []);
  if (!token) return <SignIn onToken={signIn} notice={notice} />;
  return (
    <ApolloProvider client={client}>
      <App onSignOut={signOut} />
    </ApolloProvider>
  );
}

createRoot(document.getElementById("root")!).render(<StrictMode><Root /></StrictMode>);
