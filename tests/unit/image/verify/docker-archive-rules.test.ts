import { describe, expect, it } from 'vitest';
import {
  checkRepositories,
  checkRepoTags,
  repoTagProblem,
} from '../../../../packages/image/src/verify/docker-archive-rules.js';

const enc = new TextEncoder();

describe('repoTagProblem (docker load: ParseNormalizedNamed, then NamedTagged)', () => {
  it.each(['nginx:latest', 'example.com/app:v1', 'localhost:5000/a/b:1.0-rc_1', 'Example.com/app:v1'])(
    'takes %j',
    (repoTag) => expect(repoTagProblem(repoTag)).toBeUndefined(),
  );

  it.each([
    ['example.com/App:v1', /lowercase/],
    ['nginx', /no tag/],
    ['localhost:5000/app', /no tag/],
    ['nginx:-bad', /bad tag/],
    [`nginx:${'a'.repeat(129)}`, /bad tag/],
    [`nginx@sha256:${'a'.repeat(64)}`, /digest/],
    ['', /./],
  ])('refuses %j', (repoTag, reason) => expect(repoTagProblem(repoTag)).toMatch(reason));
});

describe('checkRepoTags', () => {
  it('reports every bad entry of every item', () => {
    const problems = checkRepoTags([
      { Config: 'c', Layers: [], RepoTags: ['ok:1', 'Bad:1'] },
      { Config: 'd', Layers: [], RepoTags: ['untagged'] },
    ]);
    expect(problems.map((problem) => [problem.code, problem.message.slice(0, 38)])).toEqual([
      ['REPO_TAG_INVALID', 'manifest.json item 0 RepoTags "Bad:1":'],
      ['REPO_TAG_INVALID', 'manifest.json item 1 RepoTags "untagge'],
    ]);
    expect(problems[0]!.rejectedBy).toEqual(['docker load']);
  });
});

describe('checkRepositories', () => {
  const items = [{ Config: 'c', Layers: [], RepoTags: ['app:v1'] }];

  it('takes a file naming the RepoTags', () => {
    expect(checkRepositories(enc.encode('{"app":{"v1":"abc"}}'), items)).toEqual([]);
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['not an object', '[]', /is not an object/],
    ['tags not an object', '{"app":"v1"}', /not an object of tags/],
    ['a layer id not a string', '{"app":{"v1":1}}', /not a layer id/],
    ['an unknown name:tag', '{"app":{"v2":"abc"}}', /names app:v2, which no RepoTags entry/],
  ])('warns about %s', (_what, text, message) => {
    const problems = checkRepositories(enc.encode(text), items);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'REPOSITORIES_INCONSISTENT', severity: 'warning' });
    expect(problems[0]!.message).toMatch(message);
  });
});
