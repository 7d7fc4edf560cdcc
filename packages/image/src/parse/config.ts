/**
 * Image config validation (config.md, plus the Docker image spec extensions Healthcheck, OnBuild
 * and Shell). Only known fields are kept in the value; Docker's legacy top-level fields
 * (`container_config`, `docker_version` …) stay in the raw bytes only.
 */
import { LayerkitError } from '@layerkit/digest';
import type { Raw } from '../json/raw.js';
import { isConfigMediaType } from '../media-types.js';
import type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig } from '../oci-types.js';
import { checkedDigest, readPlatform, type ValidateOptions } from './descriptor.js';
import { readDocument } from './document.js';
import { Fields, setDefined } from './fields.js';

const CONFIG_FIELDS: ReadonlySet<string> = new Set([
  'created',
  'author',
  'architecture',
  'os',
  'os.version',
  'os.features',
  'variant',
  'config',
  'rootfs',
  'history',
]);
const CONTAINER_CONFIG_FIELDS: ReadonlySet<string> = new Set([
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
  'Healthcheck',
  'OnBuild',
  'Shell',
]);
const HISTORY_FIELDS: ReadonlySet<string> = new Set([
  'created',
  'created_by',
  'author',
  'comment',
  'empty_layer',
]);

/**
 * Parses and validates untrusted config bytes. With `expected`, its media type must be a config
 * type (the spec forbids parsing unknown config types: `UNSUPPORTED_MEDIA_TYPE`) and the size and
 * digest must match (R2 of docs/threat-model.md). `rootfs.type` must be `layers` (R8:
 * `UNSUPPORTED_ROOTFS_TYPE`); every diff_id must be a valid digest (`INVALID_DIGEST`); anything
 * else malformed is `INVALID_CONFIG`.
 */
export function parseConfig(
  bytes: Uint8Array,
  expected?: Descriptor,
  options: ValidateOptions = {},
): Raw<ImageConfig> {
  if (expected !== undefined && !isConfigMediaType(expected.mediaType)) {
    throw new LayerkitError(
      'UNSUPPORTED_MEDIA_TYPE',
      `config ${expected.digest} has media type ${JSON.stringify(expected.mediaType)}, which is not an image config`,
      { digest: expected.digest, mediaType: expected.mediaType },
    );
  }
  const { json, digest, what } = readDocument(bytes, 'config', expected, options);
  const fields: Fields = Fields.of(json, what, 'INVALID_CONFIG');
  fields.rejectCaseVariants(CONFIG_FIELDS);

  const rootfs: Fields = fields.optionalObject('rootfs') ?? fields.fail('rootfs', 'is required');
  const rootfsType = rootfs.string('type');
  if (rootfsType !== 'layers') {
    throw new LayerkitError(
      'UNSUPPORTED_ROOTFS_TYPE',
      `${rootfs.at('type')} is ${JSON.stringify(rootfsType)}, not "layers"`,
      {
        what,
        type: rootfsType,
      },
    );
  }
  const diffIds = rootfs.array('diff_ids').map((id, i) => {
    if (typeof id !== 'string') return rootfs.fail(`diff_ids[${i}]`, 'must be a digest string');
    return checkedDigest(id, rootfs.at(`diff_ids[${i}]`));
  });

  // The platform fields (architecture, os, os.version, os.features, variant) are the descriptor's.
  const config: ImageConfig = { ...readPlatform(fields), rootfs: { type: 'layers', diff_ids: diffIds } };
  setDefined(config, 'created', fields.optionalString('created'));
  setDefined(config, 'author', fields.optionalString('author'));
  const container = fields.optionalObject('config');
  if (container !== undefined) config.config = readContainerConfig(container);
  const history = fields.optionalArray('history');
  if (history !== undefined) {
    config.history = history.map((entry, i) =>
      readHistoryEntry(Fields.of(entry, fields.at(`history[${i}]`), 'INVALID_CONFIG')),
    );
  }
  return { value: config, bytes, digest };
}

function readContainerConfig(fields: Fields): ContainerConfig {
  fields.rejectCaseVariants(CONTAINER_CONFIG_FIELDS);
  const out: ContainerConfig = {};
  const set = <K extends keyof ContainerConfig>(key: K, value: ContainerConfig[K] | undefined) =>
    setDefined(out, key, value);
  set('User', fields.optionalString('User'));
  set('ExposedPorts', fields.optionalKeySet('ExposedPorts'));
  set('Env', fields.optionalStringArray('Env'));
  set('Entrypoint', fields.optionalStringArray('Entrypoint'));
  set('Cmd', fields.optionalStringArray('Cmd'));
  set('Volumes', fields.optionalKeySet('Volumes'));
  set('WorkingDir', fields.optionalString('WorkingDir'));
  set('Labels', fields.optionalStringMap('Labels'));
  set('StopSignal', fields.optionalString('StopSignal'));
  set('ArgsEscaped', fields.optionalBoolean('ArgsEscaped'));
  // Kept verbatim (Docker's own structure, durations in ns); checked only to be an object.
  set('Healthcheck', fields.optionalObject('Healthcheck')?.object);
  set('OnBuild', fields.optionalStringArray('OnBuild'));
  set('Shell', fields.optionalStringArray('Shell'));
  return out;
}

function readHistoryEntry(fields: Fields): HistoryEntry {
  fields.rejectCaseVariants(HISTORY_FIELDS);
  const entry: HistoryEntry = {};
  setDefined(entry, 'created', fields.optionalString('created'));
  setDefined(entry, 'created_by', fields.optionalString('created_by'));
  setDefined(entry, 'author', fields.optionalString('author'));
  setDefined(entry, 'comment', fields.optionalString('comment'));
  setDefined(entry, 'empty_layer', fields.optionalBoolean('empty_layer'));
  return entry;
}
