import { tallyCounts, tallySink } from '../../scripts/chaos/tally';

const accepted = new Set(['a', 'b', 'c', 'd']);

describe('tallySink', () => {
  it('finds nothing wrong when each accepted reading is stored once', () => {
    expect(tallySink('s', 'exactly-once', accepted, [['d', 'c', 'b', 'a']])).toMatchObject({
      accepted: 4,
      stored: 4,
      lost: 0,
      duplicated: 0,
      redelivered: 0,
      unacknowledged: 0,
    });
  });

  it('counts a missing reading as lost and a second copy as duplicated in an exactly-once sink', () => {
    expect(tallySink('s', 'exactly-once', accepted, [['a', 'b', 'b', 'b', 'c']])).toMatchObject({
      stored: 3,
      lost: 1,
      lostSample: ['d'],
      duplicated: 2,
      redelivered: 0,
      copiedSample: ['b'],
    });
  });

  it('counts extra copies in an at-least-once sink as redelivered, never duplicated', () => {
    expect(
      tallySink('t', 'at-least-once', accepted, [['a', 'a', 'b', 'c', 'd', 'd']]),
    ).toMatchObject({ lost: 0, duplicated: 0, redelivered: 2 });
  });

  it('counts a reading held by any listing as stored, and copies within one listing only', () => {
    // The Cosmos stand-in: listed before its restart (a, b) and after it (b again, c, d).
    expect(
      tallySink('cosmos', 'exactly-once', accepted, [
        ['a', 'b'],
        ['b', 'c', 'd'],
      ]),
    ).toMatchObject({ stored: 4, lost: 0, duplicated: 0 });
  });

  it('counts stored readings that were never answered 202 apart', () => {
    expect(tallySink('s', 'exactly-once', accepted, [['a', 'b', 'c', 'd', 'x']])).toMatchObject({
      lost: 0,
      unacknowledged: 1,
    });
  });
});

describe('tallyCounts', () => {
  it('compares counts per key, so a loss and a surplus do not cancel out', () => {
    const t = tallyCounts(
      'agg',
      new Map([
        ['dev1 10:00', 3],
        ['dev2 10:00', 2],
      ]),
      new Map([
        ['dev1 10:00', 2],
        ['dev2 10:00', 3],
        ['dev3 10:00', 1],
      ]),
    );
    expect(t).toMatchObject({ accepted: 5, stored: 4, lost: 1, duplicated: 2 });
    expect(t.lostSample).toEqual(['dev1 10:00']);
    expect(t.copiedSample).toEqual(['dev2 10:00', 'dev3 10:00']);
  });

  it('finds nothing wrong when every count matches', () => {
    const m = new Map([['k', 7]]);
    expect(tallyCounts('agg', m, new Map(m))).toMatchObject({ lost: 0, duplicated: 0 });
  });
});
