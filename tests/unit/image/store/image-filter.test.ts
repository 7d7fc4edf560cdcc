/**
 * The name filter of `layerkit images` (imageNameFilter), and how stored tags read as REPOSITORY
 * and TAG (listedName): docker's reference filter is Go's `path.Match` on the familiar
 * `repository:tag`, else on the repository alone.
 */
import { describe, expect, it } from 'vitest';
import { imageNameFilter } from '../../../../packages/image/src/store/image-filter.js';
import { listedName, listedReference } from '../../../../packages/image/src/store/listed-name.js';

describe('listedName', () => {
  it.each([
    ['nginx:v2', 'nginx', 'v2'],
    ['nginx', 'nginx', 'latest'],
    ['docker.io/library/nginx:1.27', 'nginx', '1.27'],
    ['example.com:5000/team/app:1', 'example.com:5000/team/app', '1'],
    ['1.0+build', '<none>', '1.0+build'],
    ['App:v1', '<none>', 'App:v1'],
  ])('%s reads as %s %s', (tag, repository, shown) => {
    expect(listedName(tag)).toEqual({ repository, tag: shown });
  });

  it('an untagged image is <none> <none>', () => {
    expect(listedName(undefined)).toEqual({ repository: '<none>', tag: '<none>' });
  });

  it('rmi reports Docker names familiar and with their tag, other ref names as they are', () => {
    expect(listedReference('nginx')).toBe('nginx:latest');
    expect(listedReference('docker.io/library/nginx:v2')).toBe('nginx:v2');
    expect(listedReference('1.0+build')).toBe('1.0+build');
  });
});

describe('imageNameFilter', () => {
  const names = [
    { repository: 'nginx', tag: 'latest' },
    { repository: 'nginx', tag: 'v2' },
    { repository: 'nginx-exporter', tag: 'v2' },
    { repository: 'team/nginx', tag: 'v1' },
    { repository: 'example.com:5000/app', tag: '1.0' },
    { repository: '<none>', tag: '<none>' },
    { repository: '<none>', tag: '1.0+build' },
  ];
  const matching = (pattern: string) =>
    names.filter(imageNameFilter(pattern)).map((name) => `${name.repository}:${name.tag}`);

  it('a repository keeps all its tags and nothing else', () => {
    expect(matching('nginx')).toEqual(['nginx:latest', 'nginx:v2']);
  });
  it('repository:tag keeps that tag', () => {
    expect(matching('nginx:v2')).toEqual(['nginx:v2']);
  });
  it('* and ? stay within one path component', () => {
    expect(matching('nginx*')).toEqual(['nginx:latest', 'nginx:v2', 'nginx-exporter:v2']);
    expect(matching('*nginx')).toEqual(['nginx:latest', 'nginx:v2']);
    expect(matching('*/nginx')).toEqual(['team/nginx:v1']);
    expect(matching('*:v?')).toEqual(['nginx:v2', 'nginx-exporter:v2']);
  });
  it('character classes, negated classes and escapes', () => {
    expect(matching('nginx:[lv]*')).toEqual(['nginx:latest', 'nginx:v2']);
    expect(matching('nginx:[^l]*')).toEqual(['nginx:v2']);
    expect(matching('example.com:5000/app:1.0')).toEqual(['example.com:5000/app:1.0']);
    expect(matching('example\\.com:5000/app')).toEqual(['example.com:5000/app:1.0']);
  });
  it('regular-expression characters are literal', () => {
    expect(matching('example.com:5000/ap.')).toEqual([]);
    expect(matching('nginx|team/nginx')).toEqual([]);
  });
  it('untagged images and ref names that are no Docker name never match', () => {
    expect(matching('*')).not.toContain('<none>:<none>');
    expect(matching('<none>')).toEqual([]);
    expect(matching('*:1.0+build')).toEqual([]);
  });
});
