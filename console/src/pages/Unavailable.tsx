/** A page the public API cannot fill yet: it says so, and shows no made-up figures. */

export const Experiments = () => (
  <section aria-labelledby="experiments-title">
    <h1 id="experiments-title">Experiments</h1>
    <p role="status">Not available yet: experiments are not part of the API this console talks to. This page will list them once the API offers them.</p>
  </section>
);
