import { useEffect, useState } from "react";

interface DemoToken {
  label: string;
  token: string;
}

/** A bearer token, pasted (a real deployment signs in through HMPPS Auth instead), or in the
 * demo one of the demo officers' tokens that the gateway offers at /ui/demo-tokens.json. */
export function SignIn({ onToken, notice }: { onToken: (t: string) => void; notice?: string }) {
  const [text, setText] = useState("");
  const [demo, setDemo] = useState<DemoToken[]>([]);
  useEffect(() => {
    fetch("demo-tokens.json")
      .then((r) => (r.ok ? r.json() : []))
      .then(setDemo, () => setDemo([]));
  }, []);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const token = text.trim().replace(/^bearer\s+/i, "");
    if (token) onToken(token);
  };
  return (
    <main className="signin">
      <h1>Sign in to your caseload</h1>
      {notice && <p className="notice" role="status">{notice}</p>}
      <form onSubmit={submit}>
        <label htmlFor="token">Bearer token</label>
        <textarea id="token" rows={4} value={text} onChange={(e) => setText(e.target.value)}
          placeholder="eyJhbGciOi…" spellCheck={false} autoComplete="off" />
        <button type="submit">Sign in</button>
      </form>
      {demo.length > 0 && (
        <section aria-labelledby="demo-heading">
          <h2 id="demo-heading">Demo officers</h2>
          {demo.map((d) => (
            <button key={d.label} type="button" className="secondary"
              onClick={() => onToken(d.token)}>{d.label}</button>
          ))}
        </section>
      )}
    </main>
  );
}
