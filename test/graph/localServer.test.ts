import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultNeo4jLib } from '../../src/config.js';
import { extraJvmFlags, localServerStatus, startLocalServer } from '../../src/graph/localServer.js';
import { freshGraph, tempDir } from '../helpers.js';

const libDir = process.env.KGREC_NEO4J_LIB ?? defaultNeo4jLib();

describe('the local Neo4j launcher', () => {
  it('says clearly when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(
        startLocalServer({ home: tempDir(), libDir, port, password: 'kgrec-test-password', heap: '256m', pageCache: '64m' }),
      ).rejects.toThrow(`port ${port} is already taken by another process; stop it or choose another port with KGREC_NEO4J_PORT`);
    } finally {
      blocker.close();
    }
  });

  it('runs on the throughput collector unless KGREC_NEO4J_JAVA_OPTS names another, which then replaces it', () => {
    expect(extraJvmFlags({})).toEqual(['-XX:+UseParallelGC']);
    expect(extraJvmFlags({ KGREC_NEO4J_JAVA_OPTS: ' -Xlog:gc  -XX:+AlwaysPreTouch ' })).toEqual(['-XX:+UseParallelGC', '-Xlog:gc', '-XX:+AlwaysPreTouch']);
    expect(extraJvmFlags({ KGREC_NEO4J_JAVA_OPTS: '-XX:+UseG1GC -Xlog:gc' })).toEqual(['-XX:+UseG1GC', '-Xlog:gc']);
  });

  it('checkpoints every two minutes, in smaller flushes than the default fifteen', async () => {
    const { graph } = await freshGraph();
    try {
      const rows = await graph.read<{ value: string }>("SHOW SETTINGS YIELD name, value WHERE name = 'db.checkpoint.interval.time' RETURN value");
      expect(rows.map((row) => row.value)).toEqual(['2m']);
    } finally {
      await graph.close();
    }
  });

  it('reports a server that is not running', () => {
    const home = tempDir();
    expect(localServerStatus({ home, port: 7999 })).toMatchObject({ running: false, pid: null, port: 7999, logFile: path.join(home, 'logs', 'neo4j.log') });
  });

  it('says clearly when Java is missing', async () => {
    const saved = { path: process.env.PATH, javaHome: process.env.JAVA_HOME };
    process.env.PATH = tempDir();
    delete process.env.JAVA_HOME;
    try {
      await expect(
        startLocalServer({ home: tempDir(), libDir, port: 7999, password: 'kgrec-test-password', heap: '256m', pageCache: '64m' }),
      ).rejects.toThrow(/Java 17 or newer is needed to run the local Neo4j, and `java` was not found/);
    } finally {
      process.env.PATH = saved.path;
      if (saved.javaHome !== undefined) process.env.JAVA_HOME = saved.javaHome;
    }
  });
});
