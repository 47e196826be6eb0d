// The SRS key: SRS_SECRET, else one made on first use in DATA_DIR, so a
// single host forwards with SRS without any setting.
import type { Config } from '../config/config.ts';
import { dataDirSecret } from '../config/data-dir-secret.ts';
import type { SrsKeys } from './srs.ts';

const cache = new WeakMap<object, SrsKeys>();

export function srsKeysOf(config: Pick<Config, 'dataDir' | 'srsSecrets'>): SrsKeys {
  let keys = cache.get(config);
  if (!keys) {
    keys = { secrets: config.srsSecrets.length > 0 ? config.srsSecrets : [dataDirSecret(config.dataDir, 'srs-secret')] };
    cache.set(config, keys);
  }
  return keys;
}
