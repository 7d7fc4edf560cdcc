import { describe, expect, it } from 'vitest';
import { humanDuration } from '../../../packages/history/src/human-duration.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('humanDuration (go-units HumanDuration)', () => {
  it.each([
    [-5 * SECOND, 'Less than a second'],
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [SECOND, '1 second'],
    [1999, '1 second'],
    [2 * SECOND, '2 seconds'],
    [59 * SECOND + 999, '59 seconds'],
    [MINUTE, 'About a minute'],
    [2 * MINUTE - 1, 'About a minute'],
    [2 * MINUTE, '2 minutes'],
    [59 * MINUTE + 59 * SECOND, '59 minutes'],
    [HOUR, 'About an hour'],
    [HOUR + 29 * MINUTE + 59 * SECOND, 'About an hour'],
    [HOUR + 30 * MINUTE, '2 hours'],
    [47 * HOUR + 29 * MINUTE, '47 hours'],
    [47 * HOUR + 30 * MINUTE, '2 days'],
    [13 * DAY + 23 * HOUR + 29 * MINUTE, '13 days'],
    [14 * DAY, '2 weeks'],
    [59 * DAY + 23 * HOUR, '8 weeks'],
    [60 * DAY, '2 months'],
    [729 * DAY + 23 * HOUR, '24 months'],
    [730 * DAY, '2 years'],
    [11 * 365 * DAY + 3 * DAY, '11 years'],
    [300 * 365 * DAY, '292 years'],
  ])('%d ms → %s', (ms, expected) => {
    expect(humanDuration(ms)).toBe(expected);
  });

  it('treats NaN as less than a second instead of throwing', () => {
    expect(humanDuration(Number.NaN)).toBe('Less than a second');
  });
});
