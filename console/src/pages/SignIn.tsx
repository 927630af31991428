import { useState } from 'preact/hooks';
import { Field } from '../ui.js';

export function SignIn({ onSignIn }: { onSignIn: (token: string) => Promise<void> }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    if (token.trim() === '') {
      setProblem('token: enter the Bearer token you were given (kgrec start prints a local one)');
      return;
    }
    setBusy(true);
    setProblem(null);
    onSignIn(token.trim()).catch((error: unknown) => {
      setProblem(error instanceof Error ? error.message : String(error));
      setBusy(false);
    });
  };
  return (
    <main id="main" class="signin">
      <h1>kgrec console</h1>
      <form onSubmit={submit} aria-describedby="signin-help">
        <p id="signin-help">Sign in with your API token. The console shows what its role may do.</p>
        <Field label="Token" id="token" invalid={problem !== null}>
          <input id="token" name="token" type="password" autoComplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} aria-invalid={problem !== null} autoFocus />
        </Field>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
