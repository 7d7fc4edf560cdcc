/**
 * The bench report's SVG chart (bench/lib/chart.mjs): well-formed XML naming every workload and
 * tool, the same bytes for the same report, and the committed charts regenerated from their JSON.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useScratchDir } from '../fixtures/scratch.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** `node bench/lib/chart.mjs FILE` (the bench's libraries are plain ES modules without types). */
function chart(file: string): string {
  const result = spawnSync(process.execPath, ['bench/lib/chart.mjs', file], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

/** Character data or an attribute value: no `<`, and every `&` starts a known entity. */
function checkText(text: string, where: string): void {
  if (text.includes('<')) throw new Error(`'<' in ${where}: ${text}`);
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(text)) throw new Error(`bare '&' in ${where}: ${text}`);
  }
}

/**
 * A small XML well-formedness check (enough for the writer's output: elements, attributes, text;
 * no comments, CDATA or processing instructions): one root element, every tag closed in order,
 * attributes quoted and unique, text and values escaped. Returns the root element's name.
 */
function checkWellFormed(xml: string): string {
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"]*")*)\s*(\/?)>/y;
  const attribute = /\s+([A-Za-z_:][\w:.-]*)="([^"]*)"/g;
  const open: string[] = [];
  let root: string | undefined;
  let at = 0;
  while (at < xml.length) {
    const next = xml.indexOf('<', at);
    const text = xml.slice(at, next === -1 ? xml.length : next);
    if (open.length === 0 && text.trim() !== '') throw new Error(`text outside the root: ${text}`);
    checkText(text, 'text');
    if (next === -1) break;
    tag.lastIndex = next;
    const match = tag.exec(xml);
    if (match === null) throw new Error(`malformed tag at ${next}: ${xml.slice(next, next + 60)}`);
    const [whole, closing, name, attributes, selfClosing] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (closing !== '') {
      if (attributes !== '' || selfClosing !== '') throw new Error(`malformed end tag ${whole}`);
      if (open.pop() !== name) throw new Error(`</${name}> closes another element`);
    } else {
      if (open.length === 0) {
        if (root !== undefined) throw new Error(`a second root element <${name}>`);
        root = name;
      }
      const seen = new Set<string>();
      for (const [, key, value] of attributes.matchAll(attribute)) {
        if (seen.has(key!)) throw new Error(`duplicate attribute ${key} on <${name}>`);
        seen.add(key!);
        checkText(value!, `attribute ${key}`);
      }
      if (selfClosing === '') open.push(name);
    }
    at = next + whole.length;
  }
  if (open.length > 0 || root === undefined) throw new Error(`unclosed: ${open.join(' > ') || 'no root'}`);
  return root;
}

const escaped = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&apos;');

describe('bench chart (bench/lib/chart.mjs)', () => {
  const scratch = useScratchDir('bench-chart');

  it('the check itself rejects what is not well-formed', () => {
    expect(checkWellFormed('<svg><text a="1">x &amp; y</text><rect/></svg>')).toBe('svg');
    for (const bad of [
      '<svg><text></svg>',
      '<svg>a & b</svg>',
      '<svg a="1" a="2"/>',
      '<a/><b/>',
      '<svg a=1/>',
    ]) {
      expect(() => checkWellFormed(bad), bad).toThrow();
    }
  });

  it('is well-formed SVG naming every workload, input and tool; the same bytes every time', () => {
    const report = {
      machine: { cpuModel: 'Test CPU <8>', cpuCount: 2, node: 'v20.0.0', commit: 'abc1234' },
      workloads: [
        {
          id: 'W1',
          title: 'import a tree & <check> it',
          input: 'rootfs',
          ratios: { 'tar | gzip': 0.5 },
          candidates: [
            { name: 'tar | gzip', role: 'peer', runs: [], medianSeconds: 2 },
            { name: 'layerkit import', role: 'layerkit', runs: [], medianSeconds: 1 },
          ],
        },
        {
          id: 'W5',
          title: 'diff listing',
          input: "pair:a'b",
          ratios: {},
          candidates: [
            { name: 'layerkit diff', role: 'layerkit', runs: [], medianSeconds: 0.25 },
            { name: 'find A B', role: 'floor', runs: [], error: 'exit 1' },
          ],
        },
      ],
    };
    const file = join(scratch.path, 'report.json');
    writeFileSync(file, JSON.stringify(report));
    const svg = chart(file);
    expect(checkWellFormed(svg)).toBe('svg');
    for (const text of [
      'W1 import a tree',
      'rootfs',
      'W5 diff listing',
      "pair:a'b",
      'tar | gzip',
      'layerkit import',
      'layerkit diff',
      'find A B',
      'Test CPU <8>',
    ]) {
      expect(svg).toContain(escaped(text));
    }
    // layerkit drawn first in its group, the peer with layerkit's ratio, the failed tool without a bar.
    expect(svg.indexOf('>layerkit import<')).toBeLessThan(svg.indexOf('>tar | gzip<'));
    expect(svg).toContain('2.00 s · layerkit 0.50×');
    expect(svg).toContain('>failed<');
    expect(chart(file)).toBe(svg);
  });

  it('the committed charts are what their committed JSON renders', () => {
    for (const name of ['latest', 'large']) {
      const svg = chart(join(repo, `bench/results/${name}.json`));
      expect(checkWellFormed(svg)).toBe('svg');
      expect(svg).toBe(readFileSync(join(repo, `bench/results/${name}.svg`), 'utf8'));
    }
  });
});
