import { Provider } from '@urql/preact';
import type { Client } from '@urql/core';
import { useEffect, useState } from 'preact/hooks';
import { can, createClient, forgetToken, identify, storedToken, storeToken, type Identity, type Role } from './session.js';
import { href, useRoute } from './router.js';
import { Loading } from './ui.js';
import { SignIn } from './pages/SignIn.js';
import { Products } from './pages/Products.js';
import { ProductPage } from './pages/ProductPage.js';
import { Rules } from './pages/Rules.js';
import { Shopper } from './pages/Shopper.js';
import { Catalogue } from './pages/Catalogue.js';
import { Models } from './pages/Models.js';
import { Evaluation } from './pages/Evaluation.js';
import { Experiments } from './pages/Experiments.js';
import { ExperimentResultsPage } from './pages/ExperimentResultsPage.js';
import { Audit } from './pages/Audit.js';

interface Session extends Identity {
  client: Client;
}

/** Pages, and the least role that sees each: the nav offers only what the role may use. */
const PAGES: readonly { page: string; label: string; role: Role }[] = [
  { page: 'products', label: 'Products', role: 'frontend' },
  { page: 'rules', label: 'Rules', role: 'merchandiser' },
  { page: 'shopper', label: 'Shopper view', role: 'frontend' },
  { page: 'catalogue', label: 'Catalogue', role: 'frontend' },
  { page: 'models', label: 'Models', role: 'admin' },
  { page: 'evaluation', label: 'Evaluation', role: 'merchandiser' },
  { page: 'experiments', label: 'Experiments', role: 'merchandiser' },
  { page: 'audit', label: 'Audit log', role: 'merchandiser' },
];

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedToken() !== null);
  const signIn = async (token: string): Promise<void> => {
    const client = createClient(token);
    const identity = await identify(client);
    storeToken(token);
    setSession({ client, ...identity });
  };
  useEffect(() => {
    const token = storedToken();
    if (token === null) return;
    signIn(token).catch(() => forgetToken()).finally(() => setRestoring(false));
  }, []);
  if (restoring) return <Loading what="your session" />;
  if (!session) return <SignIn onSignIn={signIn} />;
  const signOut = () => {
    forgetToken();
    setSession(null);
  };
  return (
    <Provider value={session.client}>
      <Shell role={session.role} editor={session.editor} onSignOut={signOut} />
    </Provider>
  );
}

function Shell({ role, editor, onSignOut }: { role: Role; editor: string; onSignOut: () => void }) {
  const route = useRoute();
  const allowed = PAGES.find((entry) => entry.page === route.page && can(role, entry.role)) ?? (route.page === 'product' ? PAGES[0] : undefined);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <strong>kgrec console</strong>
        <nav aria-label="Pages">
          {PAGES.filter((entry) => can(role, entry.role)).map((entry) => (
            <a key={entry.page} href={href(entry.page)} aria-current={route.page === entry.page ? 'page' : undefined}>
              {entry.label}
            </a>
          ))}
        </nav>
        <span class="role" data-testid="role" title={`Your edits are recorded as ${editor}`}>
          Signed in as <b>{role}</b>
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {allowed ? <Page name={route.page} id={route.id} params={route.params} role={role} editor={editor} /> : <p role="alert">This page needs a role your token does not have.</p>}
      </main>
    </>
  );
}

function Page({ name, id, params, role, editor }: { name: string; id: string | null; params: URLSearchParams; role: Role; editor: string }) {
  const edit = can(role, 'merchandiser');
  switch (name) {
    case 'product':
      return id ? <ProductPage id={id} canEdit={edit} /> : <Products params={params} />;
    case 'rules':
      return <Rules params={params} />;
    case 'shopper':
      return <Shopper params={params} />;
    case 'catalogue':
      return <Catalogue canEdit={edit} />;
    case 'models':
      return <Models />;
    case 'evaluation':
      return <Evaluation />;
    case 'experiments':
      return id ? <ExperimentResultsPage id={id} params={params} /> : <Experiments isAdmin={can(role, 'admin')} />;
    case 'audit':
      return <Audit params={params} ownEditor={editor} />;
    default:
      return <Products params={params} />;
  }
}
