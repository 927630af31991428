import neo4j, { Neo4jError, type Driver, type ManagedTransaction, type QueryResult, type RecordShape } from 'neo4j-driver';
import { boltUri, type Config } from '../config.js';

export type Params = Record<string, unknown>;

export interface TransactionOptions {
  /**
   * Runs the work again, in a new transaction, when it broke a uniqueness constraint. For work that looks up
   * which keys exist and creates the others (event writes): two such transactions that create the same key
   * at once both see it missing, and the one that commits second fails on the constraint. The driver does
   * not retry that (it is a client error), yet a new attempt sees the winner's node and treats it as existing.
   */
  retryUniquenessRaces?: boolean;
}

/**
 * Attempts of a transaction that keeps losing uniqueness races. Each lost race means another transaction
 * committed the key, so a retry normally succeeds at once; the bound stops a transaction that breaks a
 * constraint by itself (not a race) from being run for ever.
 */
const MAX_UNIQUENESS_RACE_ATTEMPTS = 5;
const CONSTRAINT_VIOLATION = 'Neo.ClientError.Schema.ConstraintValidationFailed';

const isUniquenessViolation = (error: unknown): boolean =>
  error instanceof Neo4jError && error.code === CONSTRAINT_VIOLATION && /already exists/i.test(error.message);

/** Rows pulled per round trip when streaming. */
const STREAM_FETCH_SIZE = 10_000;
export type Row = Record<string, unknown>;

/**
 * The one door to Neo4j. Integers come back as JavaScript numbers (ids and counts here stay far below
 * 2^53), and every write runs in a managed transaction, which the driver retries on transient errors.
 */
export class Graph {
  /** Number of queries sent so far; tests use it to check that work is batched. */
  queryCount = 0;

  constructor(
    readonly driver: Driver,
    /** The configured database; when none is, `verify` pins the server's home database. */
    public database: string | undefined,
  ) {}

  static open(config: Config): Graph {
    const driver = neo4j.driver(boltUri(config), neo4j.auth.basic(config.neo4jUser, config.neo4jPassword), {
      disableLosslessIntegers: true,
      maxConnectionPoolSize: 50,
      connectionAcquisitionTimeout: 60_000,
      userAgent: 'kgrec',
    });
    return new Graph(driver, config.neo4jDatabase);
  }

  /** Fails fast with a readable message when Neo4j cannot be reached or the credentials are wrong. */
  async verify(): Promise<void> {
    try {
      await this.driver.verifyConnectivity(this.database ? { database: this.database } : {});
      // Without a database name the driver resolves the home database on every query, a round trip
      // that costs a request on the API about a millisecond (bench: readProfile p50 3.5 → 2.5 ms).
      if (this.database === undefined) {
        const { records } = await this.driver.executeQuery('CALL db.info() YIELD name RETURN name', {}, { routing: neo4j.routing.READ });
        const name = records[0]?.get('name') as unknown;
        if (typeof name === 'string') this.database = name;
      }
    } catch (error) {
      throw new Error(`cannot reach Neo4j: ${(error as Error).message}`);
    }
  }

  async read<T extends Row = Row>(query: string, params: Params = {}): Promise<T[]> {
    this.queryCount += 1;
    const result = await this.driver.executeQuery(query, params, {
      database: this.database,
      routing: neo4j.routing.READ,
    });
    return result.records.map((record) => record.toObject() as T);
  }

  /** Runs one auto-routed write query in its own transaction. */
  async write<T extends Row = Row>(query: string, params: Params = {}): Promise<T[]> {
    this.queryCount += 1;
    const result = await this.driver.executeQuery(query, params, {
      database: this.database,
      routing: neo4j.routing.WRITE,
    });
    return result.records.map((record) => record.toObject() as T);
  }

  /**
   * Streams the rows of a read query as arrays of values, pulled from the server in chunks as they are
   * consumed, so that exporting millions of rows never holds them all at once.
   */
  async *stream(query: string, params: Params = {}): AsyncGenerator<unknown[]> {
    this.queryCount += 1;
    const session = this.driver.session({ defaultAccessMode: neo4j.session.READ, fetchSize: STREAM_FETCH_SIZE, ...(this.database ? { database: this.database } : {}) });
    try {
      for await (const record of session.run(query, params)) yield record.keys.map((key) => record.get(key));
    } finally {
      await session.close();
    }
  }

  /** Runs several statements in one transaction: all of them commit, or none does. */
  async transaction<T>(work: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const session = this.driver.session(this.database ? { database: this.database } : {});
    try {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await session.executeWrite((managed) => work(new Transaction(managed, this)));
        } catch (error) {
          if (!options.retryUniquenessRaces || attempt >= MAX_UNIQUENESS_RACE_ATTEMPTS || !isUniquenessViolation(error)) throw error;
        }
      }
    } finally {
      await session.close();
    }
  }

  /**
   * Runs a query in an auto-commit transaction: needed for schema commands (constraints, indexes), which
   * cannot share a transaction with data writes, and for `CALL { … } IN TRANSACTIONS`.
   */
  async autoCommit(query: string, params: Params = {}): Promise<void> {
    this.queryCount += 1;
    const session = this.driver.session(this.database ? { database: this.database } : {});
    try {
      await session.run(query, params);
    } finally {
      await session.close();
    }
  }

  async close(): Promise<void> {
    await this.driver.close();
  }

  /**
   * The same connection, with every write rolled back: Neo4j plans and runs each statement, so its plan
   * lands in the query cache with a first execution behind it, and nothing it wrote stays. For planning the
   * serving path's writes before traffic comes (src/api/queryPlanWarmUp.ts).
   */
  rollingBack(): Graph {
    return new RollingBackGraph(this.driver, this.database);
  }
}

class RollingBackGraph extends Graph {
  override async write<T extends Row = Row>(query: string, params: Params = {}): Promise<T[]> {
    return this.transaction((tx) => tx.run<T>(query, params));
  }

  override async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const session = this.driver.session(this.database ? { database: this.database } : {});
    const tx = session.beginTransaction();
    try {
      return await work(new Transaction(tx, this));
    } finally {
      await tx.rollback();
      await session.close();
    }
  }

  override async autoCommit(): Promise<void> {
    throw new Error('an auto-commit statement cannot be rolled back');
  }
}

export class Transaction {
  constructor(
    private readonly tx: Pick<ManagedTransaction, 'run'>,
    private readonly graph: Graph,
  ) {}

  async run<T extends Row = Row>(query: string, params: Params = {}): Promise<T[]> {
    this.graph.queryCount += 1;
    const result: QueryResult<RecordShape> = await this.tx.run(query, params);
    return result.records.map((record) => record.toObject() as T);
  }
}
