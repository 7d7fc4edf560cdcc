/**
 * kill -9 in the middle of a push: the CLI copies a 96 MiB incompressible image (one layer,
 * deterministic bytes) to a registry and is SIGKILLed once part of the layer is in the
 * registry's upload storage. The manifest is the registry sink's commit point, so the
 * tag must not exist and the half-sent layer must not be a blob. Running the same push again
 * completes it, and the result pulls back and verifies. Ctrl-C at the same point exits 130 and
 * leaves no tag either.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importRootfs } from '@layerkit/image/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesOf } from '../fixtures/deterministic-bytes.js';
import { type LayoutImage, readLayoutImage } from './clients/layout.js';
import { type Registry, startRegistry } from './clients/registry.js';
import { useInteropScratchDir } from './clients/scratch.js';
import {
  buildCliBundle,
  type CliOptions,
  type CliRun,
  cliOk,
  pollUntil,
  type StartedCli,
  startCli,
  stderrLines,
} from './fixtures/registry-cli.js';

const MiB = 1024 * 1024;
/** Large enough that, at the first chunk (8 MiB), 11 more are still to go. */
const LAYER_BYTES = 96 * MiB;

const scratch = useInteropScratchDir('layerkit-registry-kill');
let registry: Registry;
let image: LayoutImage;
let at: CliOptions;

beforeAll(async () => {
  at = { cwd: scratch.path };
  const rootfs = join(scratch.path, 'rootfs');
  mkdirSync(join(rootfs, 'data'), { recursive: true });
  writeFileSync(join(rootfs, 'data', 'large.bin'), bytesOf(96, LAYER_BYTES));
  const [started] = await Promise.all([
    startRegistry(),
    buildCliBundle(),
    importRootfs({ rootfs, dest: `oci:${join(scratch.path, 'large')}:v1`, sourceDateEpoch: 1_717_200_000 }),
  ]);
  registry = started;
  image = readLayoutImage(join(scratch.path, 'large'), 'v1');
});

afterAll(async () => {
  await registry?.stop();
});

/** Bytes of the layer that must have reached the registry before the push is interrupted. */
const UNDER_WAY = 8 * 1024 * 1024;

/**
 * Waits (polling the registry's upload storage) until `push` has delivered part of
 * `repository`'s layer; kills `push` and fails if it ends first or the wait times out.
 */
async function untilUploading(push: StartedCli, repository: string): Promise<void> {
  let ended: CliRun | undefined;
  void push.done.then((run) => {
    ended = run;
  });
  await pollUntil(
    `${UNDER_WAY} bytes of ${repository}'s layer to reach the registry`,
    async () => (registry.uploadingBytes(repository) >= UNDER_WAY ? true : undefined),
    {
      gaveUp: () =>
        ended === undefined ? undefined : `the push ended first (${ended.status}): ${ended.stderr}`,
    },
  ).catch((error: unknown) => {
    push.child.kill('SIGKILL');
    throw error;
  });
}

describe('interrupted pushes', () => {
  it('the image is one incompressible layer of about 96 MiB', () => {
    expect(image.manifest.layers).toHaveLength(1);
    expect(image.manifest.layers[0]?.size).toBeGreaterThan(LAYER_BYTES);
  });

  it('Ctrl-C (SIGINT) while a layer uploads: exit 130 in one line, no tag', async () => {
    const push = startCli(['copy', 'oci:large:v1', registry.reference('large/interrupted:v1')], at);
    await untilUploading(push, 'large/interrupted');
    push.child.kill('SIGINT');
    const run = await push.done;
    expect(run.status).toBe(130);
    expect(stderrLines(run)).toEqual(['layerkit: copy: interrupted; the destination was left as it was']);
    expect(
      (await registry.requests()).filter((request) =>
        request.path.startsWith('/v2/large/interrupted/manifests/'),
      ),
    ).toEqual([]);
    await expect(registry.manifest('large/interrupted', 'v1')).rejects.toThrow(/HTTP 404/);
  });

  it('killed while a layer uploads: no tag, no blob', async () => {
    const layer = image.manifest.layers[0]?.digest ?? '';
    const push = startCli(['copy', 'oci:large:v1', registry.reference('large/app:v1')], at);
    await untilUploading(push, 'large/app');
    push.child.kill('SIGKILL');
    const run = await push.done;
    expect(run.signal).toBe('SIGKILL');
    expect(run.stdout).toBe('');

    const requests = await registry.requests();
    expect(requests.filter((request) => request.path.startsWith('/v2/large/app/manifests/'))).toEqual([]);
    await expect(registry.manifest('large/app', 'v1')).rejects.toThrow(/HTTP 404/);
    await expect(registry.blob('large/app', layer)).rejects.toThrow(/HTTP 404/);
  });

  it('the same push run again completes; the image pulls back and verifies', async () => {
    const printed = await cliOk(['copy', 'oci:large:v1', registry.reference('large/app:v1')], at);
    expect(printed.trim()).toBe(image.descriptor.digest);
    const served = await registry.manifest('large/app', 'v1');
    expect(served.bytes.equals(image.manifestBytes)).toBe(true);

    const report = await cliOk(['verify', registry.reference('large/app:v1')], at);
    expect(report.split('\n').filter((line) => line !== '')).toEqual([
      `ok  layer ${image.manifest.layers[0]?.digest}`,
      `ok  ${image.descriptor.digest}`,
    ]);
    const pulled = await cliOk(['copy', registry.reference('large/app:v1'), 'oci:pulled:v1'], at);
    expect(pulled.trim()).toBe(image.descriptor.digest);
    expect(
      readLayoutImage(join(scratch.path, 'pulled'), 'v1').manifestBytes.equals(image.manifestBytes),
    ).toBe(true);
    await cliOk(['verify', 'oci:pulled:v1'], at);
  });
});
