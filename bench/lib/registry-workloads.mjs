/**
 * The registry workloads (R1–R5): pushes and pulls through a local `docker-registry`
 * (distribution 2.8, plain HTTP on 127.0.0.1), layerkit beside `skopeo copy`, and layerkit's
 * commit straight into a registry beside the same commit into a layout.
 *
 * Fairness: every timed run gets its own registry process on a port never used before in the
 * bench run, with an empty storage or a fresh copy of a prepared one, so no run sees another's
 * uploads. skopeo keeps a blob-info cache (as root: /var/lib/containers/cache, keyed by
 * host:port) that tells it where blobs were seen and makes it mount them; every skopeo run here
 * gets a private, empty cache directory bind-mounted over that path in a private mount
 * namespace (`unshare -m`, ~5 ms inside the timed region), so no run learns from an earlier one
 * and the machine's shared cache is not touched. The variant whose cache is warmed (R2 across
 * repositories) warms its own private cache untimed in the reset.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { addedLayerEntries, blobPath } from './layers.mjs';
import { changeOneFile } from './mutate.mjs';
import { countRequests, perRunRegistry, startRegistry } from './registry.mjs';
import { bash, commandLine, run } from './shell.mjs';

/** Where skopeo (running as root) keeps its blob-info cache. */
const SKOPEO_CACHE = '/var/lib/containers/cache';
/** The repositories every workload uses (each run has a registry of its own). */
const REPO = 'bench/app';
const REPO_A = 'bench/a';
const REPO_B = 'bench/b';

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/**
 * The manifest digest `tag` points at in an OCI layout.
 * @param {string} layout
 * @param {string} tag
 * @returns {string}
 */
export function layoutDigest(layout, tag) {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (entry === undefined) throw new Error(`${layout}: no tag ${tag}`);
  return entry.digest;
}

/**
 * `skopeo ARGS…` with a private blob-info cache: `cacheDir` bind-mounted over skopeo's cache
 * directory in a private mount namespace (the rest of the machine keeps its own cache).
 * @param {string} cacheDir
 * @param {string[]} args
 * @returns {string} a bash command
 */
function skopeo(cacheDir, args) {
  const inner = `mount --bind ${commandLine([cacheDir, SKOPEO_CACHE])} && exec ${commandLine(['skopeo', ...args])}`;
  return commandLine(['unshare', '-m', '--propagation', 'private', 'sh', '-c', inner]);
}

/** Entries by tar type of a gzip (or plain) layer held in memory. */
async function countEntries(bytes, mediaType) {
  const types = {};
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    types[header.type] = (types[header.type] ?? 0) + 1;
    body.on('end', next);
    body.resume();
  });
  const source = Readable.from([bytes]);
  await (mediaType.includes('gzip') ? pipeline(source, createGunzip(), extract) : pipeline(source, extract));
  return types;
}

/**
 * What a push did, checked untimed right after it: the registry's manifest digest against the
 * source's, and the requests the client made (from the access log since the run's mark).
 */
async function pushCheck(registry, repository, tag, sourceDigest) {
  const counts = countRequests(await registry.requests());
  const served = await registry.manifest(repository, tag);
  return {
    digestMatches: served.digest === sourceDigest && served.headerDigest === sourceDigest,
    registryDigest: served.digest,
    sourceDigest,
    layers: served.json.layers?.length,
    ...counts,
  };
}

/** What a pull did: the layout's manifest digest against the registry's, and the requests. */
async function pullCheck(registry, repository, tag, layout) {
  const counts = countRequests(await registry.requests());
  const served = await registry.manifest(repository, tag);
  const pulled = layoutDigest(layout, tag);
  return {
    digestMatches: served.digest === pulled,
    registryDigest: served.digest,
    layoutDigest: pulled,
    ...counts,
  };
}

/**
 * A storage directory holding `pushes` (pushed once with skopeo, untimed) for the per-run
 * registries to copy or serve.
 * @param {string} dir
 * @param {Array<{from: string, to: string}>} pushes `to` is REPO:TAG
 * @returns {Promise<string>}
 */
async function preparedStorage(dir, pushes) {
  const storage = join(dir, 'template');
  rmSync(storage, { recursive: true, force: true });
  const registry = await startRegistry(join(dir, 'template-home'), storage);
  try {
    const cache = join(dir, 'template-skopeo-cache');
    fresh(cache);
    for (const { from, to } of pushes) {
      bash(skopeo(cache, ['copy', '--quiet', '--dest-tls-verify=false', from, registry.reference(to)]));
    }
  } finally {
    await registry.stop();
  }
  return storage;
}

/**
 * A bash script uploading `blobs` and then the manifest of `tag` from `layout` with curl, one
 * monolithic POST + PUT per blob (no HEAD probes, no digest computed on the client): what the
 * registry needs to take in the bytes.
 */
function curlUpload(address, layout, tag) {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  const manifest = JSON.parse(readFileSync(blobPath(layout, entry.digest), 'utf8'));
  const base = `http://${address}/v2/${REPO}`;
  const lines = [
    'up() {',
    `  loc=$(curl -sSf -X POST -D - -o /dev/null ${commandLine([`${base}/blobs/uploads/`])} | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')`,
    `  case $loc in http*) ;; *) loc=${commandLine([`http://${address}`])}$loc ;; esac`,
    `  curl -sSf -H 'Expect:' -H 'Content-Type: application/octet-stream' -T "$1" -o /dev/null "$loc&digest=$2"`,
    '}',
    ...[...manifest.layers, manifest.config].map((d) =>
      commandLine(['up', blobPath(layout, d.digest), d.digest]),
    ),
    commandLine([
      'curl',
      '-sSf',
      '-H',
      'Expect:',
      '-H',
      `Content-Type: ${entry.mediaType}`,
      '-T',
      blobPath(layout, entry.digest),
      '-o',
      '/dev/null',
      `${base}/manifests/${tag}`,
    ]),
  ];
  return lines.join('\n');
}

/** curl GETs of the manifest and every blob of `tag` into `dir` (no verification, no layout). */
function curlDownload(address, layout, tag, dir) {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  const manifest = JSON.parse(readFileSync(blobPath(layout, entry.digest), 'utf8'));
  const base = `http://${address}/v2/${REPO}`;
  const words = [
    'curl',
    '-sSf',
    '-H',
    `Accept: ${entry.mediaType}`,
    '-o',
    join(dir, 'manifest.json'),
    `${base}/manifests/${tag}`,
  ];
  for (const d of [manifest.config, ...manifest.layers]) {
    words.push('-o', join(dir, d.digest.replace(':', '-')), `${base}/blobs/${d.digest}`);
  }
  return `mkdir -p ${commandLine([dir])} && ${commandLine(words)}`;
}

/**
 * Builds the registry workloads for the prepared inputs and images.
 * @param {object} context
 * @param {Record<string, import('./inputs.mjs').Input>} context.inputs
 * @param {Record<string, string>} context.images base layout per input name (`large-2g` with --large)
 * @param {string | undefined} context.layerkit command prefix running the CLI
 * @param {string} context.work scratch directory
 * @param {number} context.largeRuns measured runs for R5
 * @returns {import('./workloads.mjs').Workload[]}
 */
export function defineRegistryWorkloads({ inputs, images, layerkit, work, largeRuns }) {
  const lk = (args) => (layerkit === undefined ? undefined : `${layerkit} ${commandLine(args)}`);
  const keep = (c) => (c.role !== 'layerkit' && c.role !== 'baseline' ? true : layerkit !== undefined);
  const input = inputs.rootfs;
  const image = images[input.name];

  /** The base layout plus `v2`: one changed file committed on top with umoci (untimed, shared by both R2 workloads). */
  let v2Layout;
  const withCommit = () => {
    if (v2Layout !== undefined) return v2Layout;
    const dir = join(work, 'r2-image');
    fresh(dir);
    const layout = join(dir, 'layout');
    bash(`cp -a ${commandLine([image, layout])}`);
    run('umoci', ['unpack', '--image', `${layout}:base`, join(dir, 'bundle')], { stdio: 'ignore' });
    changeOneFile(join(dir, 'bundle', 'rootfs'));
    run('umoci', ['repack', '--image', `${layout}:v2`, join(dir, 'bundle')], { stdio: 'ignore' });
    rmSync(join(dir, 'bundle'), { recursive: true, force: true });
    v2Layout = layout;
    return layout;
  };
  const cleanCommit = () => {
    if (v2Layout === undefined) return;
    rmSync(join(work, 'r2-image'), { recursive: true, force: true });
    v2Layout = undefined;
  };

  /**
   * The two copies every registry workload times, from `from()` to `to()`: `layerkit copy`, and
   * `skopeo copy` with its private blob-info cache emptied before each run. `plainHttp` lists the
   * ends skopeo must be told are plain HTTP (`src`, `dest`).
   */
  function copyCandidates({ from, to, plainHttp, cache, reset, check, skopeoName = 'skopeo copy' }) {
    const insecure = plainHttp.map((side) => `--${side}-tls-verify=false`);
    return [
      {
        name: 'layerkit copy',
        role: 'layerkit',
        reset,
        script: () => lk(['copy', '-q', from(), to()]),
        check,
      },
      {
        name: skopeoName,
        role: 'peer',
        reset: async () => {
          fresh(cache);
          await reset();
        },
        script: () => skopeo(cache, ['copy', '--quiet', ...insecure, from(), to()]),
        check,
      },
    ];
  }

  /**
   * A push of `tag` from `layout()` into `REPO` of a per-run registry whose storage starts as
   * `template()` (empty when it returns undefined): layerkit copy, skopeo copy, extra candidates.
   */
  function pushWorkload({ id, title, name, layout, tag, template, notes, runs, extra = [], teardown }) {
    const dir = join(work, `${id.toLowerCase()}-${name}`);
    const cache = join(dir, 'skopeo-cache');
    let registry;
    let templateDir;
    const reset = async () => {
      await registry.reset();
    };
    const check = () => pushCheck(registry.current, REPO, tag, layoutDigest(layout(), tag));
    return {
      id,
      title,
      input: name,
      notes,
      runs,
      setup: async () => {
        fresh(dir);
        mkdirSync(SKOPEO_CACHE, { recursive: true });
        templateDir = template === undefined ? undefined : await template(dir);
        registry = perRunRegistry(join(dir, 'registry'), { template: templateDir });
      },
      teardown: async () => {
        await registry?.stop();
        rmSync(dir, { recursive: true, force: true });
        teardown?.();
      },
      sidecarPid: () => registry?.current?.pid,
      candidates: [
        ...copyCandidates({
          from: () => `oci:${layout()}:${tag}`,
          to: () => registry.current.reference(`${REPO}:${tag}`),
          plainHttp: ['dest'],
          cache,
          reset,
          check,
        }),
        ...extra.map((make) => make({ registry: () => registry.current, reset, check, layout })),
      ].filter(keep),
    };
  }

  /** A pull of `REPO:tag` from a registry serving `template` into a fresh layout. */
  function pullWorkload({ id, title, name, layout, tag, notes, runs, floor = false }) {
    const dir = join(work, `${id.toLowerCase()}-pull-${name}`);
    const cache = join(dir, 'skopeo-cache');
    const out = join(dir, 'out');
    let registry;
    const reset = async () => {
      await registry.reset();
      rmSync(out, { recursive: true, force: true });
    };
    const check = () => pullCheck(registry.current, REPO, tag, out);
    const candidates = copyCandidates({
      from: () => registry.current.reference(`${REPO}:${tag}`),
      to: () => `oci:${out}:${tag}`,
      plainHttp: ['src'],
      cache,
      reset,
      check,
    });
    if (floor) {
      candidates.push({
        name: 'floor: curl GET of manifest + blobs',
        role: 'floor',
        reset,
        script: () => curlDownload(registry.current.address, layout, tag, out),
      });
    }
    return {
      id,
      title,
      input: name,
      notes,
      runs,
      setup: async () => {
        fresh(dir);
        mkdirSync(SKOPEO_CACHE, { recursive: true });
        const template = await preparedStorage(dir, [{ from: `oci:${layout}:${tag}`, to: `${REPO}:${tag}` }]);
        // Pulls write nothing to the registry: every run serves the prepared storage as it is.
        registry = perRunRegistry(join(dir, 'registry'), { serve: template });
      },
      teardown: async () => {
        await registry?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
      sidecarPid: () => registry?.current?.pid,
      candidates: candidates.filter(keep),
    };
  }

  const workloads = [];

  workloads.push(
    pushWorkload({
      id: 'R1',
      title: 'push an image into an empty repository',
      name: input.name,
      layout: () => image,
      tag: 'base',
      notes: [
        'every run pushes into a registry of its own with an empty storage; the floor uploads the same blobs with curl (one POST + PUT each, then the manifest): the registry ingesting the bytes, nothing else',
      ],
      extra: [
        ({ registry, reset, check }) => ({
          name: 'floor: curl POST + PUT per blob',
          role: 'floor',
          reset,
          script: () => curlUpload(registry().address, image, 'base'),
          check,
        }),
      ],
    }),
  );

  workloads.push(
    pushWorkload({
      id: 'R2',
      title: 'push a 1-file commit into the repository holding its base',
      name: input.name,
      layout: withCommit,
      tag: 'v2',
      template: (dir) => preparedStorage(dir, [{ from: `oci:${withCommit()}:base`, to: `${REPO}:base` }]),
      notes: [
        'v2 = the base plus one layer (one appended-to file), made with umoci (untimed); the registry holds the base in the same repository, so only the new layer, the config and the manifest need to go up',
      ],
    }),
  );

  // R2 across repositories: A holds the image, the copy goes docker://A → docker://B.
  {
    const name = input.name;
    const dir = join(work, `r2x-${name}`);
    const cache = join(dir, 'skopeo-cache');
    let registry;
    const source = () => registry.current.reference(`${REPO_A}:v2`);
    const dest = () => registry.current.reference(`${REPO_B}:v2`);
    const reset = async () => {
      await registry.reset();
    };
    const check = async () => {
      const counts = countRequests(await registry.current.requests());
      const served = await registry.current.manifest(REPO_B, 'v2');
      const sourceDigest = layoutDigest(withCommit(), 'v2');
      return {
        digestMatches: served.digest === sourceDigest && served.headerDigest === sourceDigest,
        registryDigest: served.digest,
        sourceDigest,
        layers: served.json.layers?.length,
        ...counts,
      };
    };
    const [layerkitCopy, skopeoCopy] = copyCandidates({
      from: source,
      to: dest,
      plainHttp: ['src', 'dest'],
      cache,
      reset,
      check,
      skopeoName: 'skopeo copy, empty cache',
    });
    workloads.push({
      id: 'R2',
      title: 'copy docker://A → docker://B in one registry (cross-repository mounts)',
      input: name,
      notes: [
        'repository A holds base and v2, B is empty; every blob can be mounted from A. skopeo 1.9.3 mounts only blobs its blob-info cache places in the registry: with an empty cache it downloads every blob from A and uploads it to B; "cache knows A" is skopeo after an untimed pull of A:v2 (`skopeo copy docker://A:v2 oci:SCRATCH`) with the same private cache, as if it had pulled A before (a re-push of A that finds every blob there records nothing). Neither tool mounts the config: both download it from A and upload it to B',
      ],
      setup: async () => {
        fresh(dir);
        mkdirSync(SKOPEO_CACHE, { recursive: true });
        const template = await preparedStorage(dir, [
          { from: `oci:${withCommit()}:base`, to: `${REPO_A}:base` },
          { from: `oci:${withCommit()}:v2`, to: `${REPO_A}:v2` },
        ]);
        registry = perRunRegistry(join(dir, 'registry'), { template });
      },
      teardown: async () => {
        await registry?.stop();
        rmSync(dir, { recursive: true, force: true });
        cleanCommit();
      },
      sidecarPid: () => registry?.current?.pid,
      candidates: [
        layerkitCopy,
        skopeoCopy,
        {
          name: 'skopeo copy, cache knows A',
          role: 'peer',
          reset: async () => {
            fresh(cache);
            await registry.reset();
            const scratch = join(dir, 'warm-layout');
            rmSync(scratch, { recursive: true, force: true });
            bash(skopeo(cache, ['copy', '--quiet', '--src-tls-verify=false', source(), `oci:${scratch}:v2`]));
            rmSync(scratch, { recursive: true, force: true });
            registry.current.mark();
          },
          script: skopeoCopy.script,
          check,
        },
      ].filter(keep),
    });
  }

  workloads.push(
    pullWorkload({
      id: 'R3',
      title: 'pull an image into an empty layout',
      name: input.name,
      layout: image,
      tag: 'base',
      floor: true,
      notes: [
        'every run pulls into a new layout directory; the floor fetches the manifest and blobs with one curl (no digest check, no layout)',
      ],
    }),
  );

  // R4: commit straight into the registry vs the same commit into a local layout.
  {
    const dir = join(work, `r4-${input.name}`);
    const rootfs = join(dir, 'remote', 'rootfs');
    const local = join(dir, 'local');
    const layout = join(local, 'layout');
    let registry;
    workloads.push({
      id: 'R4',
      title: 'commit after a 1-file change, straight to a registry vs into a layout',
      input: input.name,
      notes: [
        'registry: `layerkit unpack docker://…/base` (untimed) + the change, then `layerkit commit docker://…/base DIR docker://…/base:v2` timed; local: `layerkit unpack oci:…:base` + the same change, then `layerkit commit oci:…:base DIR oci:…:v2`. The ratio is registry / local (target ≤ 1.3×)',
      ],
      setup: async () => {
        fresh(dir);
        const template = await preparedStorage(dir, [{ from: `oci:${image}:base`, to: `${REPO}:base` }]);
        registry = perRunRegistry(join(dir, 'registry'), { template });
      },
      teardown: async () => {
        await registry?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
      sidecarPid: () => registry?.current?.pid,
      candidates: [
        {
          name: 'layerkit commit → docker://',
          role: 'layerkit',
          reset: async () => {
            await registry.reset();
            fresh(join(dir, 'remote'));
            bash(lk(['unpack', '-q', registry.current.reference(`${REPO}:base`), rootfs]));
            changeOneFile(rootfs);
            registry.current.mark();
          },
          script: () =>
            lk([
              'commit',
              '-q',
              registry.current.reference(`${REPO}:base`),
              rootfs,
              registry.current.reference(`${REPO}:v2`),
            ]),
          check: async () => {
            const counts = countRequests(await registry.current.requests());
            const base = await registry.current.manifest(REPO, 'base');
            const v2 = await registry.current.manifest(REPO, 'v2');
            const below = base.json.layers.length;
            const sameBase = base.json.layers.every((l, i) => v2.json.layers[i]?.digest === l.digest);
            const types = {};
            for (const layer of v2.json.layers.slice(below)) {
              const found = await countEntries(
                await registry.current.blob(REPO, layer.digest),
                layer.mediaType,
              );
              for (const [type, n] of Object.entries(found)) types[type] = (types[type] ?? 0) + n;
            }
            return {
              addedLayers: v2.json.layers.length - below,
              baseLayersKept: sameBase,
              layerFiles: types.file ?? 0,
              types,
              ...counts,
            };
          },
        },
        {
          name: 'layerkit commit → oci: (local)',
          role: 'baseline',
          reset: async () => {
            await registry.stop();
            fresh(local);
            bash(`cp -a ${commandLine([image, layout])}`);
            bash(lk(['unpack', '-q', `oci:${layout}:base`, join(local, 'rootfs')]));
            changeOneFile(join(local, 'rootfs'));
          },
          script: lk(['commit', '-q', `oci:${layout}:base`, join(local, 'rootfs'), `oci:${layout}:v2`]),
          check: () => addedLayerEntries(layout, 'v2', 'base'),
        },
      ].filter(keep),
    });
  }

  const large = inputs.large;
  if (large !== undefined && images[large.name] !== undefined) {
    const largeImage = images[large.name];
    workloads.push(
      pushWorkload({
        id: 'R5',
        title: 'memory: push a 2 GiB single-layer image',
        name: large.name,
        layout: () => largeImage,
        tag: 'base',
        runs: largeRuns,
        notes: [
          'the large-2g tree as one gzip layer (umoci repack; incompressible data), pushed into an empty registry',
        ],
      }),
      pullWorkload({
        id: 'R5',
        title: 'memory: pull a 2 GiB single-layer image',
        name: large.name,
        layout: largeImage,
        tag: 'base',
        runs: largeRuns,
        notes: ['pulled from a registry holding only that image into a new layout'],
      }),
    );
  }
  return workloads;
}

/** Whether the registry workloads can run here: docker-registry, skopeo and unshare. */
export function registryToolsMissing() {
  const missing = [];
  for (const [tool, args] of [
    ['docker-registry', ['--version']],
    ['skopeo', ['--version']],
    ['unshare', ['--version']],
    ['curl', ['--version']],
  ]) {
    try {
      run(tool, args);
    } catch {
      missing.push(tool);
    }
  }
  if (!existsSync('/proc/self/ns/mnt')) missing.push('mount namespaces');
  return missing;
}
