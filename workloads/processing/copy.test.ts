import { copyField, copyText } from './copy';

describe('copyField', () => {
  it('writes null as \\N, booleans as t/f and finite numbers as JavaScript prints them', () => {
    expect([null, true, false, 0, -1.5, 1e-7].map(copyField)).toEqual([
      '\\N',
      't',
      'f',
      '0',
      '-1.5',
      '1e-7',
    ]);
  });

  it('escapes backslash, tab, newline and carriage return so any string round-trips', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField('\\N')).toBe('\\\\N');
  });

  it('writes objects as JSON, escaped like any string', () => {
    // JSON already writes the tab as \t; COPY then needs that backslash doubled.
    expect(copyField({ t: 'x\ty' })).toBe('{"t":"x\\\\ty"}');
  });

  it('writes NaN and infinities as float8 reads them (an overflowing sum of squares)', () => {
    expect([NaN, Infinity, -Infinity].map(copyField)).toEqual(['NaN', 'Infinity', '-Infinity']);
  });
});

describe('copyText', () => {
  it('joins fields with tabs and rows with newlines, in chunks of about 64 KiB', () => {
    expect([
      ...copyText([
        ['a', 1, null],
        ['b', 2, true],
      ]),
    ]).toEqual(['a\t1\t\\N\nb\t2\tt\n']);
    const chunks = [...copyText(Array.from({ length: 10_000 }, (_, i) => [`row-${i}`, i]))];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('').split('\n')).toHaveLength(10_001);
  });
});
