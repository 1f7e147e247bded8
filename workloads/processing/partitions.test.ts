import { partitionDays } from './partitions';

describe('partitionDays', () => {
  it('lists UTC days from behind to ahead of now', () => {
    expect(partitionDays(new Date('2026-12-31T23:30:00Z'), 1, 2)).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
  });

  it('uses the UTC day even when local time is already the next day', () => {
    expect(partitionDays(new Date('2026-03-01T00:30:00+02:00'), 0, 0)).toEqual(['2026-02-28']);
  });
});
