/** Pages the public API cannot fill yet: they say so, and show no made-up figures. */

export const Evaluation = () => (
  <section aria-labelledby="evaluation-title">
    <h1 id="evaluation-title">Evaluation</h1>
    <p role="status">
      Not available: the GraphQL API does not expose <code>kgrec eval</code> reports, so the console cannot show the latest report or its chart. Run <code>kgrec eval</code>; its
      report and chart are written under the evaluations folder of KGREC_HOME. The link-prediction metrics of models retrained through the API are on the Models page.
    </p>
  </section>
);

export const Experiments = () => (
  <section aria-labelledby="experiments-title">
    <h1 id="experiments-title">Experiments</h1>
    <p role="status">Not available yet: experiments are not part of the API this console talks to. This page will list them once the API offers them.</p>
  </section>
);
