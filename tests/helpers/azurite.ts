import { minimalEnv } from './settingsEnv';
import { startAzurite, type AzuriteInstance } from '../../dev/azurite';
import { loadSettings } from '../../shared/config/load';
import type { Settings } from '../../shared/config/schema';

/**
 * Settings for tests: every required value points at 127.0.0.1 (port 9 is the discard port, so
 * nothing answers there), and `overrides` sets the parts a test really uses.
 */
export function testSettings(overrides: Record<string, string | undefined> = {}): Settings {
  return loadSettings({
    ...minimalEnv,
    ...overrides,
  });
}

export interface AzuriteFixture {
  readonly instance: AzuriteInstance;
  /** Environment variables that point the connector at this Azurite. */
  readonly env: Record<string, string>;
  /** `testSettings` with DataStorageConnection set to this Azurite. */
  readonly settings: Settings;
}

/**
 * Starts an in-memory Azurite in `beforeAll` of the calling test file and stops it in `afterAll`.
 * Read the returned fixture's properties inside tests or hooks, not at module level.
 */
export function useAzurite(): AzuriteFixture {
  let instance: AzuriteInstance | undefined;

  beforeAll(async () => {
    instance = await startAzurite();
  });
  afterAll(async () => {
    await instance?.stop();
    instance = undefined;
  });

  const started = (): AzuriteInstance => {
    if (instance === undefined)
      throw new Error('Azurite is not running; use the fixture inside a test');
    return instance;
  };
  return {
    get instance() {
      return started();
    },
    get env() {
      return { DataStorageConnection: started().connectionString };
    },
    get settings() {
      return testSettings({ DataStorageConnection: started().connectionString });
    },
  };
}
