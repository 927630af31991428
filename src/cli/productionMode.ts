/**
 * The CLI runs as a product, not as a library under development: unless NODE_ENV says otherwise, graphql's
 * development checks are off. They look for a second copy of graphql on every failed `instanceof` of its
 * types, which cost about 5 % of the API thread's time. graphql reads NODE_ENV once, as it loads, so this
 * module is imported first, before anything imports graphql.
 */
process.env.NODE_ENV ??= 'production';
