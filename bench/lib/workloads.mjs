/**
 * The workloads (W1–W8) and, for each, layerkit and its peers as whole shell commands. Every
 * candidate's `reset` rebuilds its state outside the timed region (fresh layout copy, fresh
 * unpack, the same change on the same paths), so each timed run starts from the same place.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addedLayerEntries, blobPath, imageLayers } from './layers.mjs';
import { changeOneFile, changeTenPercent, touchEveryFile } from './mutate.mjs';
import { defineOverlayWorkloads } from './overlay-workloads.mjs';
import { defineRegistryWorkloads } from './registry-workloads.mjs';
import { bash, commandLine, copyTree, run } from './shell.mjs';

/**
 * @typedef {object} Candidate
 * @property {string} name
 * @property {'layerkit' | 'peer' | 'floor' | 'baseline'} role
 * @property {string | (() => string)} script the timed command (bash); a function is called after
 *   `reset` (registry workloads: the address changes every run)
 * @property {() => void | Promise<void>} [reset] untimed, before every run
 * @property {() => Promise<object>} [check] untimed, after the first measured run
 * @property {(m: import('./timing.mjs').Measurement) => import('./timing.mjs').Measurement} [fromOutput]
 *   the candidate's own measurement from the timed command's (the in-process driver times its
 *   commits itself and prints them)
 *
 * @typedef {object} Workload
 * @property {string} id
 * @property {string} title
 * @property {string} input input name
 * @property {Candidate[]} candidates
 * @property {string[]} [notes]
 * @property {() => void | Promise<void>} [setup] untimed, once before the runs
 * @property {() => void | Promise<void>} [teardown] once after the runs
 * @property {number} [runs] overrides the measured run count
 * @property {() => number | undefined} [sidecarPid] a server the timed command talks to (the
 *   registry): its CPU is reported apart instead of counting as other CPU
 */

const GZIP_LEVEL = '6';
const IN_PROCESS_DRIVER = fileURLToPath(new URL('../in-process/commit.mjs', import.meta.url));
/** Commits timed inside the driver per round, after its warm-up commits. */
const IN_PROCESS_ARGS = ['--warmup', '2', '--runs', '5'];
const STAT_WALK = `-printf '%s %T@ %m\\n'`;

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

/**
 * Builds the workload list for the prepared inputs and images.
 * @param {object} context
 * @param {Record<string, import('./inputs.mjs').Input>} context.inputs
 * @param {Record<string, string>} context.images base layout per input name
 * @param {string | undefined} context.layerkit command prefix running the CLI, when it is built
 * @param {string} context.work scratch directory (same file system as the cache)
 * @param {boolean} context.buildah whether `buildah` is usable here
 * @param {boolean} [context.registry] whether the registry workloads R1–R5 can run here
 * @param {string} [context.libraryNode] the Node that runs the in-process workload (W2L): the one
 *   running layerkit's commands; none with a custom --layerkit command
 * @param {number} context.largeRuns measured runs for W8 and R5
 * @param {import('./user-inputs.mjs').UserInput[]} [context.user] the user's own inputs (their
 *   images in `images`)
 * @returns {Workload[]}
 */
export function defineWorkloads({
  inputs,
  images,
  layerkit,
  work,
  buildah,
  registry = false,
  libraryNode,
  largeRuns,
  user = [],
}) {
  const lk = (args) => (layerkit === undefined ? undefined : `${layerkit} ${commandLine(args)}`);
  /** `commit ARGS…` as the library's commit in one warm process (the driver takes the CLI's arguments). */
  const inProcessCommit = ([, ...args]) =>
    layerkit === undefined || libraryNode === undefined
      ? undefined
      : commandLine([libraryNode, IN_PROCESS_DRIVER, ...IN_PROCESS_ARGS, ...args]);
  /** @param {Candidate} c */
  const keep = (c) => c.script !== undefined;

  function importWorkload(input) {
    const dir = join(work, `w1-${input.name}`);
    const out = join(dir, 'out');
    const shellPipeline = (compressor) => ({
      name: `tar | ${compressor} | sha256sum`,
      role: 'peer',
      reset: () => fresh(out),
      check: async () => ({ layerBytes: statSync(join(out, 'layer.tar.gz')).size }),
      script:
        `tar --sort=name --numeric-owner -C ${commandLine([input.dir])} -cf - . ` +
        `| tee >(sha256sum > ${commandLine([`${out}/diffid`])}) | ${compressor} ` +
        `| tee ${commandLine([`${out}/layer.tar.gz`])} | sha256sum > ${commandLine([`${out}/digest`])}; wait $!`,
    });
    return {
      id: 'W1',
      title: 'import a tree as a one-layer gzip image',
      input: input.name,
      notes: [
        'shell peers write the blob and both digests (diffID of the tar, digest of the gzip) like an import does, but no image JSON',
        'umoci has no import; its fairest path is `umoci repack` of a bundle whose rootfs holds a copy of the tree (copy untimed); `umoci insert` writes truncated tars in 0.4.7',
      ],
      setup: () => fresh(dir),
      teardown: () => rmSync(dir, { recursive: true, force: true }),
      candidates: [
        {
          name: 'layerkit import',
          role: 'layerkit',
          reset: () => rmSync(out, { recursive: true, force: true }),
          script: lk([
            'import',
            '--compression',
            'gzip',
            '--level',
            GZIP_LEVEL,
            input.dir,
            `oci:${out}:latest`,
          ]),
          check: () => addedLayerEntries(out, 'latest'),
        },
        shellPipeline(`gzip -n -${GZIP_LEVEL}`),
        shellPipeline(`pigz -n -p 2 -${GZIP_LEVEL}`),
        {
          name: 'umoci repack',
          role: 'peer',
          reset: () => {
            copyTree(images[input.name], out);
            rmSync(join(dir, 'bundle'), { recursive: true, force: true });
            run('umoci', ['unpack', '--image', `${out}:empty`, join(dir, 'bundle')], { stdio: 'ignore' });
            bash(`cp -a ${commandLine([`${input.dir}/.`, join(dir, 'bundle', 'rootfs')])}`);
          },
          script: commandLine(['umoci', 'repack', '--image', `${out}:new`, join(dir, 'bundle')]),
          check: () => addedLayerEntries(out, 'new', 'empty'),
        },
      ].filter(keep),
    };
  }

  /**
   * A commit after `mutate` changed a fresh unpack of the base image, for layerkit and peers.
   * @param {{id: string, title: string, input: import('./inputs.mjs').Input, mutate: (root: string) => number, mode?: string, floor?: boolean, peers?: boolean, inProcess?: boolean, base?: string, fromTag?: string, addTree?: string, runs?: number, notes?: string[]}} spec
   *   `peers: false` leaves umoci and buildah out; `inProcess` times the library's `commit` in a
   *   warm process (bench/in-process/commit.mjs) instead of the CLI
   */
  function commitWorkload(spec) {
    const {
      id,
      title,
      input,
      mutate,
      mode,
      floor = false,
      peers = true,
      inProcess = false,
      fromTag = 'base',
      addTree,
      runs,
      notes = [],
    } = spec;
    const base = spec.base ?? images[input.name];
    const dir = join(work, `${id.toLowerCase()}-${input.name}`);
    const layout = join(dir, 'layout');
    const prepare = (rootfs) => {
      if (addTree !== undefined) bash(`cp -al ${commandLine([addTree, join(rootfs, 'data')])}`);
      return mutate(rootfs);
    };
    const modeFlags = mode === undefined ? [] : ['--mode', mode];
    const candidates = [
      {
        name: `layerkit commit${mode ? ` --mode ${mode}` : ''}`,
        role: 'layerkit',
        reset: () => {
          copyTree(base, layout);
          fresh(join(dir, 'lk'));
          run('bash', ['-c', lk(['unpack', `oci:${layout}:${fromTag}`, join(dir, 'lk', 'rootfs')])], {
            stdio: 'ignore',
          });
          prepare(join(dir, 'lk', 'rootfs'));
        },
        script: (inProcess ? inProcessCommit : lk)([
          'commit',
          ...modeFlags,
          `oci:${layout}:${fromTag}`,
          join(dir, 'lk', 'rootfs'),
          `oci:${layout}:new`,
        ]),
        ...(inProcess ? { fromOutput: inProcessMeasurement } : {}),
        check: () => addedLayerEntries(layout, 'new', fromTag),
      },
      peers && {
        name: 'umoci repack',
        role: 'peer',
        reset: () => {
          copyTree(base, layout);
          rmSync(join(dir, 'umoci'), { recursive: true, force: true });
          run('umoci', ['unpack', '--image', `${layout}:${fromTag}`, join(dir, 'umoci')], {
            stdio: 'ignore',
          });
          prepare(join(dir, 'umoci', 'rootfs'));
        },
        script: commandLine(['umoci', 'repack', '--image', `${layout}:new`, join(dir, 'umoci')]),
        check: () => addedLayerEntries(layout, 'new', fromTag),
      },
    ].filter(Boolean);
    if (peers && buildah && dir === dir.toLowerCase())
      candidates.push(buildahCandidate(dir, layout, fromTag, prepare));
    if (floor) {
      // The very tree layerkit's commit walks (its candidate runs first in every round), so both
      // meet the same page and dentry cache.
      candidates.push({
        name: 'stat-walk floor: find',
        role: 'floor',
        script: `find ${commandLine([join(dir, 'lk', 'rootfs')])} ${STAT_WALK} > /dev/null`,
      });
    }
    return {
      id,
      title,
      input: input.name,
      runs,
      notes,
      setup: () => fresh(dir),
      teardown: () => {
        if (buildah) cleanBuildah(dir);
        rmSync(dir, { recursive: true, force: true });
      },
      candidates: candidates.filter(keep),
    };
  }

  const rootfs = inputs.rootfs;
  const trees = [rootfs, inputs.smallfiles].filter((input) => input !== undefined);
  const workloads = trees.map(importWorkload);
  const floorNote =
    'the floor is `find ROOTFS -printf "%s %T@ %m\\n"` over the rootfs layerkit commits: one stat walk of the tree a commit must at least walk';
  const oneFileCommitSpec = (input) => ({
    id: 'W2',
    title: 'commit after a 1-file change',
    input,
    mutate: changeOneFile,
    floor: true,
    notes: [floorNote],
  });
  const oneFileCommit = (input) => commitWorkload(oneFileCommitSpec(input));
  workloads.push(...trees.map(oneFileCommit));
  // --huge: the 1M-file tree for W2 (CLI) and W2L, beside find only: umoci and buildah would
  // take minutes per round there.
  const huge = inputs.huge === undefined ? [] : [inputs.huge];
  workloads.push(
    ...huge.map((input) => commitWorkload({ ...oneFileCommitSpec(input), peers: false })),
    ...[...trees, ...huge].map((input) =>
      commitWorkload({
        ...oneFileCommitSpec(input),
        id: 'W2L',
        title: 'commit after a 1-file change, in process (the library in a warm process)',
        peers: false,
        inProcess: true,
        notes: [
          floorNote,
          `layerkit's time is the median of ${IN_PROCESS_ARGS[3]} \`commit\` calls in one Node process after ${IN_PROCESS_ARGS[1]} warm-up calls (bench/in-process/commit.mjs), as a build tool calls the library: no process start or module load; peak RSS is that process's`,
        ],
      }),
    ),
  );
  workloads.push(...defineOverlayWorkloads({ trees, images, lk, work, buildah }));
  workloads.push(
    commitWorkload({
      id: 'W3',
      title: 'commit after `touch` of every file (content unchanged)',
      input: rootfs,
      mutate: touchEveryFile,
      mode: 'content',
    }),
    commitWorkload({
      id: 'W4',
      title: 'commit after 10% of the files changed',
      input: rootfs,
      mutate: changeTenPercent,
    }),
  );
  for (const input of trees) workloads.push(diffWorkload(input, lk, work));
  workloads.push(
    unpackWorkload(rootfs, images[rootfs.name], lk, work),
    convertWorkload(rootfs, images[rootfs.name], lk, work),
  );
  if (inputs.large !== undefined) {
    workloads.push(
      commitWorkload({
        id: 'W8',
        title: 'memory: commit of a 2 GiB layer',
        input: inputs.large,
        base: images[rootfs.name],
        mutate: () => 0,
        fromTag: 'empty',
        addTree: inputs.large.dir,
        runs: largeRuns,
        notes: [
          'the large tree is hard-linked into a fresh unpack of an empty image (untimed), then committed',
        ],
      }),
    );
  }
  for (const input of user) {
    if (input.use === 'pair') {
      workloads.push(pairWorkload(input, lk));
      continue;
    }
    workloads.push(oneFileCommit(input));
    if (input.use === 'tree') workloads.push(diffWorkload(input, lk, work, true));
    else {
      workloads.push(
        imageDiffWorkload(input, images[input.name], lk, work),
        unpackWorkload(input, images[input.name], lk, work, '-xf'),
      );
    }
  }
  if (registry) workloads.push(...defineRegistryWorkloads({ inputs, images, layerkit, work, largeRuns }));
  return workloads;
}

/** buildah: `from` the base image into vfs storage, change the mount, time `buildah commit`. */
function buildahCandidate(dir, layout, fromTag, prepare) {
  const storage = [
    '--root',
    join(dir, 'buildah'),
    '--runroot',
    join(dir, 'buildah-run'),
    '--storage-driver',
    'vfs',
  ];
  return {
    name: 'buildah commit',
    role: 'peer',
    reset: () => {
      cleanBuildah(dir);
      run('buildah', [...storage, 'from', '--quiet', '--name', 'bench', `oci:${layout}:${fromTag}`], {
        stdio: 'ignore',
      });
      prepare(run('buildah', [...storage, 'mount', 'bench']).trim());
    },
    script: commandLine([
      'buildah',
      ...storage,
      'commit',
      '--quiet',
      '--disable-compression=false',
      'bench',
      `oci:${layout}:new`,
    ]),
    check: () => addedLayerEntries(layout, 'new', fromTag),
  };
}

/** Removes buildah's containers and images under `dir` (its storage holds mounts and locks). */
function cleanBuildah(dir) {
  const root = join(dir, 'buildah');
  if (!existsSync(root)) return;
  const storage = ['--root', root, '--runroot', join(dir, 'buildah-run'), '--storage-driver', 'vfs'];
  run('buildah', [...storage, 'rm', '--all'], { stdio: 'ignore' });
  run('buildah', [...storage, 'rmi', '--all', '--force'], { stdio: 'ignore' });
}

/**
 * The candidates of a diff listing of `lower` against `upper`: layerkit, the bare stat walk of
 * both, and (`contentPeer`) `diff -rq`, which reads every file both sides have.
 */
function diffCandidates(lower, upper, lk, contentPeer) {
  return [
    {
      name: 'layerkit diff --mode metadata',
      role: 'layerkit',
      script: lk(['diff', '--mode', 'metadata', lower, upper]),
    },
    {
      name: 'stat-walk floor: find A B',
      role: 'floor',
      script: `find ${commandLine([lower, upper])} ${STAT_WALK}`,
    },
    contentPeer && {
      name: 'diff -rq (reads content)',
      role: 'peer',
      // Exit 1 means "differences found", the expected outcome.
      script: `{ diff -rq --no-dereference ${commandLine([lower, upper])}; [ $? -le 1 ]; }`,
    },
  ]
    .filter((c) => c && c.script !== undefined)
    .map((c) => ({ ...c, script: `${c.script} > /dev/null` }));
}

/**
 * W5: listing the differences of two trees, against the bare stat walk of both (`contentPeer`:
 * and `diff -rq`).
 */
function diffWorkload(input, lk, work, contentPeer = false) {
  const dir = join(work, `w5-${input.name}`);
  const changed = join(dir, 'changed');
  return {
    id: 'W5',
    title: 'diff listing of two trees (10% of files changed)',
    input: input.name,
    notes: [
      'the second tree is `cp -a` of the first with every tenth file appended to; layerkit runs with --mode metadata',
    ],
    setup: () => {
      fresh(dir);
      copyTree(input.dir, changed);
      changeTenPercent(changed);
    },
    teardown: () => rmSync(dir, { recursive: true, force: true }),
    candidates: diffCandidates(input.dir, changed, lk, contentPeer),
  };
}

/** W5 on the user's `--pair DIR_A DIR_B`: both trees as they are, only read. */
function pairWorkload(input, lk) {
  return {
    id: 'W5',
    title: 'diff listing of your two trees',
    input: input.name,
    notes: [
      'the two trees of --pair as they are (read only); layerkit runs with --mode metadata; `diff -rq --no-dereference` reads every file both trees have',
    ],
    candidates: diffCandidates(input.dir, input.other, lk, true),
  };
}

/**
 * W5 on the user's `--image`: `layerkit diff IMAGE ROOTFS` of a layerkit unpack with one file
 * changed (the snapshot beside it is the lower side), against the stat walk of the rootfs.
 */
function imageDiffWorkload(input, layout, lk, work) {
  const dir = join(work, `w5-${input.name}`);
  const rootfs = join(dir, 'rootfs');
  const unpack = lk(['unpack', `oci:${layout}:base`, rootfs]);
  return {
    id: 'W5',
    title: 'diff of the image against its unpacked rootfs (1 file changed)',
    input: input.name,
    notes: [
      'layerkit unpacks the image (untimed), one file is appended to; the diff reads the snapshot the unpack recorded, the floor is `find ROOTFS`',
    ],
    setup: () => {
      fresh(dir);
      if (unpack === undefined) return;
      run('bash', ['-c', unpack], { stdio: 'ignore' });
      changeOneFile(rootfs);
    },
    teardown: () => rmSync(dir, { recursive: true, force: true }),
    candidates: [
      { name: 'layerkit diff', role: 'layerkit', script: lk(['diff', `oci:${layout}:base`, rootfs]) },
      { name: 'stat-walk floor: find', role: 'floor', script: `find ${commandLine([rootfs])} ${STAT_WALK}` },
    ]
      .filter((c) => c.script !== undefined)
      .map((c) => ({ ...c, script: `${c.script} > /dev/null` })),
  };
}

/**
 * W6: unpacking an image into a fresh directory (`tarFlags`: how tar extracts a layer, `-xzf`
 * for the built-in gzip images, `-xf` to let GNU tar detect a user image's compression).
 */
function unpackWorkload(input, layout, lk, work, tarFlags = '-xzf') {
  const dir = join(work, `w6-${input.name}`);
  const target = (name) => join(dir, name);
  const extract = imageLayers(layout, 'base')
    .map((layer) =>
      commandLine(['tar', '--numeric-owner', tarFlags, blobPath(layout, layer.digest), '-C', target('tar')]),
    )
    .join(' && ');
  return {
    id: 'W6',
    title: 'unpack the image to a directory',
    input: input.name,
    notes: [
      '`umoci unpack` and `layerkit unpack` also record a snapshot of the tree for the next commit; tar does not',
    ],
    setup: () => fresh(dir),
    teardown: () => rmSync(dir, { recursive: true, force: true }),
    candidates: [
      {
        name: 'layerkit unpack',
        role: 'layerkit',
        reset: () => fresh(target('lk')),
        script: lk(['unpack', `oci:${layout}:base`, join(target('lk'), 'rootfs')]),
      },
      {
        name: 'umoci unpack',
        role: 'peer',
        reset: () => rmSync(target('umoci'), { recursive: true, force: true }),
        script: commandLine(['umoci', 'unpack', '--image', `${layout}:base`, target('umoci')]),
      },
      { name: `tar ${tarFlags} per layer`, role: 'peer', reset: () => fresh(target('tar')), script: extract },
    ].filter((c) => c.script !== undefined),
  };
}

/** W7: OCI layout to docker-archive. */
function convertWorkload(input, layout, lk, work) {
  const dir = join(work, `w7-${input.name}`);
  const archive = (name) => join(dir, `${name}.tar`);
  const inspect = (name) => async () => {
    const info = JSON.parse(run('skopeo', ['inspect', `docker-archive:${archive(name)}`]));
    return { skopeoInspectLayers: info.Layers.length };
  };
  return {
    id: 'W7',
    title: 'convert an OCI layout to a docker-archive',
    input: input.name,
    setup: () => fresh(dir),
    teardown: () => rmSync(dir, { recursive: true, force: true }),
    candidates: [
      {
        name: 'layerkit convert',
        role: 'layerkit',
        reset: () => rmSync(archive('lk'), { force: true }),
        script: lk(['convert', `oci:${layout}:base`, `docker-archive:${archive('lk')}:bench/base:latest`]),
        check: inspect('lk'),
      },
      {
        name: 'skopeo copy',
        role: 'peer',
        reset: () => rmSync(archive('skopeo'), { force: true }),
        script: commandLine([
          'skopeo',
          'copy',
          '--quiet',
          `oci:${layout}:base`,
          `docker-archive:${archive('skopeo')}:bench/base:latest`,
        ]),
        check: inspect('skopeo'),
      },
    ].filter((c) => c.script !== undefined),
  };
}

/**
 * W2L's measurement: the driver's median commit time, CPU and peak RSS (printed as its last
 * line) in place of its whole process's, keeping the other-CPU reading of the run.
 * @param {import('./timing.mjs').Measurement} m
 * @returns {import('./timing.mjs').Measurement}
 */
function inProcessMeasurement(m) {
  const report = JSON.parse(m.stdout.trim().split('\n').at(-1));
  return {
    ...m,
    seconds: report.medianWallMs / 1000,
    cpuSeconds: report.medianCpuMs / 1000,
    rssMiB: report.peakRssMiB,
  };
}
