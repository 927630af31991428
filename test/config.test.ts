import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadApiConfig } from '../src/api/config.js';
import { defaultNeo4jLib, loadConfig, NEO4J_VERSION, PROJECT_ROOT } from '../src/config.js';
import { tempDir } from './helpers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the home folder (KGREC_HOME)', () => {
  it('defaults to .kgrec in the working directory and holds the Neo4j server and the models', () => {
    const config = loadConfig({});
    const home = path.resolve('.kgrec');
    expect(config.home).toBe(home);
    expect(config.localNeo4jHome).toBe(path.join(home, 'neo4j'));
    expect(config.modelsDir).toBe(path.join(home, 'models'));
  });

  it('moves every folder with it, resolving a relative KGREC_HOME against the working directory', () => {
    const home = tempDir('kgrec-home-');
    const config = loadConfig({ KGREC_HOME: home });
    expect(config).toMatchObject({ home, localNeo4jHome: path.join(home, 'neo4j'), modelsDir: path.join(home, 'models') });
    const relative = loadConfig({ KGREC_HOME: 'state/kgrec' });
    expect(relative.home).toBe(path.join(process.cwd(), 'state', 'kgrec'));
    expect(relative.modelsDir).toBe(path.join(process.cwd(), 'state', 'kgrec', 'models'));
  });

  it('lets the specific variables override the folders the home implies', () => {
    const home = tempDir('kgrec-home-');
    const elsewhere = tempDir('kgrec-elsewhere-');
    const config = loadConfig({
      KGREC_HOME: home,
      KGREC_MODELS_DIR: path.join(elsewhere, 'models'),
      KGREC_NEO4J_HOME: path.join(elsewhere, 'server'),
      KGREC_NEO4J_LIB: path.join(elsewhere, 'lib'),
      KGREC_NEO4J_PORT: '7799',
    });
    expect(config).toMatchObject({
      home,
      modelsDir: path.join(elsewhere, 'models'),
      localNeo4jHome: path.join(elsewhere, 'server'),
      localNeo4jLib: path.join(elsewhere, 'lib'),
      localNeo4jPort: 7799,
    });
    // A relative override is made absolute too, so that a command run from another folder finds the same place.
    expect(loadConfig({ KGREC_MODELS_DIR: 'trained' }).modelsDir).toBe(path.join(process.cwd(), 'trained'));
  });

  it('reads the home from the KGREC_CONFIG file, the environment winning', () => {
    const dir = tempDir('kgrec-config-');
    const file = path.join(dir, 'kgrec.json');
    writeFileSync(file, JSON.stringify({ home: path.join(dir, 'from-file') }));
    expect(loadConfig({ KGREC_CONFIG: file }).modelsDir).toBe(path.join(dir, 'from-file', 'models'));
    expect(loadConfig({ KGREC_CONFIG: file, KGREC_HOME: path.join(dir, 'from-env') }).home).toBe(path.join(dir, 'from-env'));
    writeFileSync(file, JSON.stringify({ home: '' }));
    expect(() => loadConfig({ KGREC_CONFIG: file })).toThrow(/KGREC_HOME: expected a folder path/);
  });

  it('keeps no state under the package root when kgrec runs from another folder', () => {
    const cwd = process.cwd();
    const elsewhere = tempDir('kgrec-cwd-');
    process.chdir(elsewhere);
    try {
      const config = loadConfig({});
      for (const folder of [config.home, config.localNeo4jHome, config.localNeo4jLib, config.modelsDir]) {
        expect(folder.startsWith(PROJECT_ROOT + path.sep)).toBe(false);
      }
      expect(config.home).toBe(path.join(process.cwd(), '.kgrec'));
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('the shared Neo4j jars', () => {
  it('live in the user cache folder: $XDG_CACHE_HOME/kgrec, else ~/.cache/kgrec', () => {
    const cache = tempDir('kgrec-xdg-');
    vi.stubEnv('XDG_CACHE_HOME', cache);
    expect(loadConfig({}).localNeo4jLib).toBe(path.join(cache, 'kgrec', `neo4j-${NEO4J_VERSION}`, 'lib'));
    // The XDG specification: a relative value is invalid and ignored.
    vi.stubEnv('XDG_CACHE_HOME', 'relative/cache');
    expect(loadConfig({}).localNeo4jLib).toBe(path.join(os.homedir(), '.cache', 'kgrec', `neo4j-${NEO4J_VERSION}`, 'lib'));
    expect(defaultNeo4jLib({ XDG_CACHE_HOME: cache })).toBe(path.join(cache, 'kgrec', `neo4j-${NEO4J_VERSION}`, 'lib'));
  });

  it('are the same for every home', () => {
    const a = loadConfig({ KGREC_HOME: tempDir('kgrec-home-a-') });
    const b = loadConfig({ KGREC_HOME: tempDir('kgrec-home-b-') });
    expect(a.localNeo4jLib).toBe(b.localNeo4jLib);
    expect(a.localNeo4jHome).not.toBe(b.localNeo4jHome);
  });
});

describe('the API\'s models folder (kgrec serve, kgrec start)', () => {
  it('is the one training writes to: KGREC_MODELS_DIR, else the home\'s', () => {
    const home = tempDir('kgrec-home-');
    const env = { KGREC_HOME: home };
    expect(loadApiConfig(env).modelsDir).toBe(path.join(home, 'models'));
    // As `kgrec serve` and `kgrec start` call it: with the configuration they loaded.
    expect(loadApiConfig(env, { port: 0 }, loadConfig(env)).modelsDir).toBe(loadConfig(env).modelsDir);
    const models = tempDir('kgrec-models-');
    expect(loadApiConfig({ ...env, KGREC_MODELS_DIR: models }).modelsDir).toBe(models);
  });
});
