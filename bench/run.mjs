#!/usr/bin/env node
/**
 * `pnpm bench`: prepares the inputs (cached outside the repository, and the user's own ones
 * given by --tree, --pair and --image), runs every workload for layerkit and its peers
 * round-robin, prints the Markdown table and saves JSON, Markdown and an SVG chart under
 * bench/results/. See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBaseImage, prepareInputs } from './lib/inputs.mjs';
import { describeMachine } from './lib/machine.mjs';
import { resolveNode } from './lib/node-binary.mjs';
import { parseOptions, USAGE } from './lib/options.mjs';
import { registryToolsMissing } from './lib/registry-workloads.mjs';
import { renderMarkdown, withPortablePaths, writeReport } from './lib/report.mjs';
import { runWorkload } from './lib/runner.mjs';
import { commandLine } from './lib/shell.mjs';
import { prepareTarBaseImage } from './lib/tar-base-image.mjs';
import { judgeTargets } from './lib/targets.mjs';
import { checkUserDirectories, prepareUserInputs } from './lib/user-inputs.mjs';
import { defineWorkloads } from './lib/workloads.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/** The command running the layerkit CLI, or undefined (with a warning) when it is not built. */
function findLayerkit(override, node) {
  const command = override ?? commandLine([node, join(repo, 'packages/cli/dist/layerkit.js')]);
  const probe = spawnSync('bash', ['-c', `${command} --version`], { encoding: 'utf8' });
  if (probe.status === 0) return command;
  process.stderr.write(
    `bench: layerkit CLI not usable (${command}); run \`pnpm build\`. Timing peers only.\n`,
  );
  return undefined;
}

function usable(tool) {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main() {
  const options = parseOptions(process.argv.slice(2), repo);
  if (options.help) {
    process.stdout.write(USAGE);
    return;
  }
  checkUserDirectories(options.user);
  const node = resolveNode(options.node, repo);
  const started = new Date().toISOString();
  mkdirSync(options.cache, { recursive: true });
  const work = join(options.cache, 'work');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const inputs = prepareInputs(options);
  const images = {};
  for (const input of [inputs.rootfs, inputs.smallfiles]) {
    if (input !== undefined) images[input.name] = prepareBaseImage(options.cache, input);
  }
  if (inputs.huge !== undefined) images[inputs.huge.name] = prepareTarBaseImage(options.cache, inputs.huge);
  // The user's own inputs, under the work directory: never cached, removed with it.
  const user = prepareUserInputs(
    options.user,
    join(work, 'user'),
    new Set(Object.values(inputs).map((input) => input.name)),
  );
  Object.assign(images, user.layouts);
  const selected = (id) => options.only === undefined || options.only.includes(id);
  // R5 pushes and pulls the large tree as a one-layer image (umoci repack, ~15 s once, cached).
  if (inputs.large !== undefined && selected('R5')) {
    images[inputs.large.name] = prepareBaseImage(options.cache, inputs.large);
  }
  const missing = registryToolsMissing();
  if (missing.length > 0) {
    process.stderr.write(`bench: no registry workloads (R1-R5): missing ${missing.join(', ')}\n`);
  }
  const layerkit = findLayerkit(options.layerkit, node.path);
  const workloads = defineWorkloads({
    inputs,
    images,
    layerkit,
    work,
    buildah: !options.quick && usable('buildah'),
    registry: missing.length === 0,
    libraryNode: options.layerkit === undefined ? node.path : undefined,
    largeRuns: options.largeRuns,
    user: user.inputs,
  })
    .filter((w) => options.only === undefined || options.only.includes(w.id))
    .filter((w) => options.inputs === undefined || options.inputs.includes(w.input));

  const results = [];
  for (const workload of workloads) results.push(await runWorkload(workload, options));
  rmSync(work, { recursive: true, force: true });

  const report = withPortablePaths(
    {
      machine: describeMachine(repo, options.cache, node),
      settings: {
        started,
        finished: new Date().toISOString(),
        quick: options.quick,
        large: options.large,
        huge: options.huge,
        runs: options.runs,
        warmup: options.warmup,
        largeRuns: options.largeRuns,
        layerkit: layerkit ?? 'not built',
      },
      inputs: { ...inputs, ...Object.fromEntries(user.inputs.map((input) => [input.name, input])) },
      workloads: results,
      targets: judgeTargets(results, inputs.rootfs.name, Number(node.version.slice(1).split('.')[0])),
    },
    { repo, cache: options.cache },
  );
  const files = writeReport(report, options.out, options.name);
  process.stdout.write(renderMarkdown(report));
  process.stderr.write(`bench: wrote ${files.json}, ${files.markdown} and ${files.svg}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
