import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import net from 'node:net';
import path from 'node:path';
import { NEO4J_VERSION } from '../config.js';

/**
 * Runs the real Neo4j 5 Community server from its jars on Maven Central (no tarball is published
 * there, no Docker is needed). The facts behind each step — the artifact, the entry classes, the JVM
 * flags and the settings that keep it small — are in the README's "Local Neo4j" section.
 */

export interface LocalServerOptions {
  /** Folder holding conf/, data/, logs/ and the pid file of one server. */
  home: string;
  /** Folder of the server's jars, shared by every home (the test server's and the platform's). */
  libDir: string;
  port: number;
  password: string;
  heap: string;
  pageCache: string;
  /** Called with human-readable progress lines ("fetching jars…"). */
  onInfo?: (message: string) => void;
}

export interface LocalServerStatus {
  running: boolean;
  pid: number | null;
  port: number;
  home: string;
  logFile: string;
  version: string;
}

export class LocalServerError extends Error {
  override name = 'LocalServerError';
}

const STANDALONE_ARTIFACT = 'org.neo4j.assembly:neo4j-community-standalone';
const ENTRY_CLASS = 'org.neo4j.server.CommunityEntryPoint';
const ADMIN_CLASS = 'org.neo4j.server.startup.Neo4jAdminBoot';
/** Cold start takes seconds when idle and several times that on a busy 2-core machine; leave room for a first store creation. */
const START_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;
const MAVEN_TIMEOUT_MS = 15 * 60_000;

/**
 * Started from the entry class directly, Neo4j ignores the heap settings in neo4j.conf: these flags are what
 * bin/neo4j would pass, but for the collector (DEFAULT_GC).
 */
const JVM_FLAGS = [
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--enable-native-access=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-XX:+ExitOnOutOfMemoryError',
  '-XX:+DisableExplicitGC',
  '-Djdk.tls.ephemeralDHKeySize=2048',
];

/**
 * The throughput collector rather than Neo4j's usual G1: on the small heap of a 2-core machine it loads events
 * faster, with pauses of G1's order, and while the API serves, Neo4j barely collects at all (measured:
 * docs/decisions/0003-neo4j-throughput-collector.md). For heaps of several gigabytes, where a full collection takes
 * seconds, name G1 in KGREC_NEO4J_JAVA_OPTS: a collector named there replaces this one.
 */
const DEFAULT_GC = '-XX:+UseParallelGC';

const paths = (home: string, libDir = path.join(home, 'lib')) => ({
  lib: libDir,
  libComplete: path.join(libDir, '.complete'),
  conf: path.join(home, 'conf'),
  data: path.join(home, 'data'),
  logs: path.join(home, 'logs'),
  logFile: path.join(home, 'logs', 'neo4j.log'),
  pidFile: path.join(home, 'neo4j.pid'),
  fetch: path.join(libDir, '..', 'fetch'),
  authFile: path.join(home, 'data', 'dbms', 'auth.ini'),
});

export function localServerStatus(options: Pick<LocalServerOptions, 'home' | 'port'>): LocalServerStatus {
  const p = paths(options.home);
  const pid = readPid(p.pidFile);
  return {
    running: pid !== null && isAlive(pid),
    pid: pid !== null && isAlive(pid) ? pid : null,
    port: options.port,
    home: options.home,
    logFile: p.logFile,
    version: NEO4J_VERSION,
  };
}

/** Starts the server unless it already runs; resolves once Bolt accepts connections. Returns true when it started it. */
export async function startLocalServer(options: LocalServerOptions): Promise<boolean> {
  const info = options.onInfo ?? (() => undefined);
  const p = paths(options.home, options.libDir);
  const status = localServerStatus(options);
  if (status.running) {
    if (await portAnswers(options.port)) return false;
    throw new LocalServerError(
      `a Neo4j process (pid ${status.pid}) is recorded in ${p.pidFile} but port ${options.port} does not answer; see ${p.logFile}`,
    );
  }
  if (await portAnswers(options.port)) {
    throw new LocalServerError(
      `port ${options.port} is already taken by another process; stop it or choose another port with KGREC_NEO4J_PORT`,
    );
  }
  const java = prepareHome(options);

  info(`starting Neo4j ${NEO4J_VERSION} on bolt://127.0.0.1:${options.port} (log: ${p.logFile})`);
  const logFd = openSync(p.logFile, 'a');
  const child = spawn(
    java,
    [
      `-Xms${options.heap}`,
      `-Xmx${options.heap}`,
      ...JVM_FLAGS,
      ...extraJvmFlags(),
      '-cp',
      `${p.lib}/*`,
      ENTRY_CLASS,
      `--home-dir=${options.home}`,
      `--config-dir=${p.conf}`,
      '--console-mode',
    ],
    { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, NEO4J_HOME: options.home, NEO4J_CONF: p.conf } },
  );
  closeSync(logFd);
  if (child.pid === undefined) throw new LocalServerError(`could not start java; see ${p.logFile}`);
  writeFileSync(p.pidFile, String(child.pid));
  child.unref();

  const started = Date.now();
  const logStart = existsSync(p.logFile) ? statSync(p.logFile).size : 0;
  while (Date.now() - started < START_TIMEOUT_MS) {
    if (!isAlive(child.pid)) {
      rmSync(p.pidFile, { force: true });
      throw new LocalServerError(`Neo4j exited during start-up:\n${tail(p.logFile, 15)}\n(full log: ${p.logFile})`);
    }
    if ((await portAnswers(options.port)) && logSince(p.logFile, logStart).includes('Started.')) {
      info(`Neo4j is up after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return true;
    }
    await sleep(250);
  }
  throw new LocalServerError(`Neo4j did not answer on port ${options.port} within ${START_TIMEOUT_MS / 1000} s; see ${p.logFile}`);
}

/** What the server and the importer need in place: Java, the jars, the folders, the configuration, the password. Returns java. */
function prepareHome(options: LocalServerOptions): string {
  const p = paths(options.home, options.libDir);
  const java = checkJava();
  fetchJarsOnce(options.home, options.libDir, options.onInfo ?? (() => undefined));
  for (const dir of [p.conf, p.data, p.logs]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(p.conf, 'neo4j.conf'), neo4jConf(options));
  setInitialPasswordOnce(options, java);
  return java;
}

/** Stops the server with SIGTERM (Neo4j checkpoints on a clean shutdown). Returns false when it was not running. */
export async function stopLocalServer(options: Pick<LocalServerOptions, 'home' | 'port' | 'onInfo'>): Promise<boolean> {
  const p = paths(options.home);
  const pid = readPid(p.pidFile);
  if (pid === null || !isAlive(pid)) {
    rmSync(p.pidFile, { force: true });
    return false;
  }
  options.onInfo?.(`stopping Neo4j (pid ${pid})`);
  process.kill(pid, 'SIGTERM');
  const started = Date.now();
  while (isAlive(pid)) {
    if (Date.now() - started > STOP_TIMEOUT_MS) {
      process.kill(pid, 'SIGKILL');
      options.onInfo?.(`Neo4j did not stop within ${STOP_TIMEOUT_MS / 1000} s and was killed; it will recover on the next start`);
      break;
    }
    await sleep(100);
  }
  rmSync(p.pidFile, { force: true });
  return true;
}

export interface DatabaseImport {
  /** `Label=file` pairs. */
  nodes: string[];
  relationships: string[];
  /** Where the importer writes its report of bad entries (there should be none: kgrec validated every row). */
  reportFile: string;
}

/**
 * Replaces the local server's database with the given files through `neo4j-admin database import full`, the
 * offline bulk importer: many times faster than transactions, but only into a stopped server, and it
 * replaces the whole database. The database files are moved aside first and put back if the import fails,
 * so a failed import leaves the database as it was. `onOutput` receives the importer's output line by line.
 */
export async function importLocalDatabase(options: LocalServerOptions, files: DatabaseImport, onOutput: (line: string) => void): Promise<void> {
  const p = paths(options.home, options.libDir);
  if (localServerStatus(options).running) throw new LocalServerError('the local Neo4j must be stopped before a bulk import');
  const java = prepareHome(options);

  const stores = ['databases', 'transactions'].map((kind) => ({ live: path.join(p.data, kind, 'neo4j'), saved: path.join(p.data, 'import-backup', kind) }));
  rmSync(path.join(p.data, 'import-backup'), { recursive: true, force: true });
  for (const store of stores) {
    mkdirSync(path.dirname(store.saved), { recursive: true });
    if (existsSync(store.live)) renameSync(store.live, store.saved);
  }
  const restore = () => {
    for (const store of stores) {
      rmSync(store.live, { recursive: true, force: true });
      if (existsSync(store.saved)) renameSync(store.saved, store.live);
    }
  };
  const args = [
    `-Xmx${options.heap}`,
    ...JVM_FLAGS,
    DEFAULT_GC,
    '-cp',
    `${p.lib}/*`,
    ADMIN_CLASS,
    'database',
    'import',
    'full',
    'neo4j',
    ...files.nodes.map((entry) => `--nodes=${entry}`),
    ...files.relationships.map((file) => `--relationships=${file}`),
    '--overwrite-destination=true',
    `--report-file=${files.reportFile}`,
  ];
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NEO4J_HOME: options.home, NEO4J_CONF: p.conf } });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        output.push(line);
        if (output.length > 200) output.shift();
        onOutput(line);
      });
    }
    child.once('error', reject);
    child.once('close', resolve);
  }).catch((error: unknown) => {
    restore();
    throw new LocalServerError(`could not run the Neo4j importer: ${(error as Error).message}`);
  });
  if (code !== 0) {
    restore();
    const last = output.filter((line) => line.trim() !== '' && !/^[-.]/.test(line.trim())).slice(-15);
    throw new LocalServerError(`the Neo4j importer failed (exit ${code}); the database was left as it was:\n${last.join('\n')}`);
  }
  rmSync(path.join(p.data, 'import-backup'), { recursive: true, force: true });
}

/** Deletes the database files (tests start from an empty store). The server must be stopped. */
export function wipeLocalData(home: string): void {
  rmSync(paths(home).data, { recursive: true, force: true });
}

function neo4jConf(options: LocalServerOptions): string {
  return [
    '# Written by kgrec on every start; edit the KGREC_NEO4J_* variables instead.',
    'server.default_listen_address=127.0.0.1',
    `server.bolt.listen_address=127.0.0.1:${options.port}`,
    `server.bolt.advertised_address=127.0.0.1:${options.port}`,
    'server.http.enabled=false',
    'server.https.enabled=false',
    'dbms.usage_report.enabled=false',
    `server.directories.data=${paths(options.home).data}`,
    `server.directories.logs=${paths(options.home).logs}`,
    `server.memory.heap.initial_size=${options.heap}`,
    `server.memory.heap.max_size=${options.heap}`,
    `server.memory.pagecache.size=${options.pageCache}`,
    'dbms.memory.transaction.total.max=384m',
    // Without these, each database preallocates 256 MB of transaction log.
    'db.tx_log.rotation.size=64M',
    'db.tx_log.rotation.retention_policy=2 files',
    // Community Neo4j flushes a checkpoint at full speed (its IO limit is an Enterprise setting). Every 15
    // minutes, the default, the served lists written meanwhile make one flush of about 220 MB that stalls a
    // small host sharing its cores with the API; every 2 minutes the same pages go in smaller flushes.
    'db.checkpoint.interval.time=2m',
    // Bolt's shutdown quiet period is most of a clean stop's time otherwise.
    'internal.dbms.bolt.netty_server_shutdown_quiet_period=1',
    '',
  ].join('\n');
}

/** KGREC_NEO4J_JAVA_OPTS adds JVM flags (GC logging, a profiler agent, another collector) without editing code. */
export const extraJvmFlags = (env: NodeJS.ProcessEnv = process.env): string[] => {
  const flags = (env.KGREC_NEO4J_JAVA_OPTS ?? '').split(/\s+/).filter((flag) => flag.length > 0);
  return flags.some((flag) => /^-XX:\+Use\w+GC$/.test(flag)) ? flags : [DEFAULT_GC, ...flags];
};

function checkJava(): string {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new LocalServerError('Java 17 or newer is needed to run the local Neo4j, and `java` was not found (install a JDK 17+, or set NEO4J_URI to use another Neo4j)');
  }
  const match = /version "(\d+)/.exec(result.stderr);
  const major = match ? Number(match[1]) : 0;
  if (major < 17) throw new LocalServerError(`Java 17 or newer is needed to run Neo4j ${NEO4J_VERSION}; found: ${result.stderr.split('\n')[0]}`);
  return java;
}

function fetchJarsOnce(home: string, libDir: string, info: (message: string) => void): void {
  const p = paths(home, libDir);
  if (existsSync(p.libComplete)) return;
  const mvn = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (mvn.error || mvn.status !== 0) {
    throw new LocalServerError('Maven (`mvn`) is needed once to fetch the Neo4j jars from Maven Central, and was not found on PATH');
  }
  info(`fetching the Neo4j ${NEO4J_VERSION} jars from Maven Central into ${p.lib} (once; about a minute)`);
  mkdirSync(p.fetch, { recursive: true });
  const [groupId, artifactId] = STANDALONE_ARTIFACT.split(':');
  writeFileSync(
    path.join(p.fetch, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kgrec.local</groupId><artifactId>neo4j-jars</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${NEO4J_VERSION}</version><type>pom</type></dependency>
  </dependencies>
</project>
`,
  );
  rmSync(p.lib, { recursive: true, force: true });
  const result = spawnSync(
    'mvn',
    ['-B', '-q', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DexcludeTypes=pom', `-DoutputDirectory=${p.lib}`],
    { cwd: p.fetch, encoding: 'utf8', timeout: MAVEN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new LocalServerError(`downloading the Neo4j jars from Maven Central failed:\n${output || String(result.error)}`);
  }
  writeFileSync(p.libComplete, `${STANDALONE_ARTIFACT}:${NEO4J_VERSION}\n`);
}

function setInitialPasswordOnce(options: LocalServerOptions, java: string): void {
  const p = paths(options.home, options.libDir);
  if (existsSync(p.authFile)) return;
  const result = spawnSync(
    java,
    [...JVM_FLAGS, '-cp', `${p.lib}/*`, ADMIN_CLASS, 'dbms', 'set-initial-password', options.password],
    { encoding: 'utf8', env: { ...process.env, NEO4J_HOME: options.home, NEO4J_CONF: p.conf } },
  );
  if (result.status !== 0) {
    throw new LocalServerError(`setting the initial Neo4j password failed:\n${(result.stderr || result.stdout).trim()}`);
  }
}

function readPid(pidFile: string): number | null {
  if (!existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its parent) still "exists" for kill(0).
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return true;
  }
}

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

function logSince(file: string, offset: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').slice(offset);
}

function tail(file: string, lines: number): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
