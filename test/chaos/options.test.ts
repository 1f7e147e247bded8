import { parseChaosArgs, UsageError } from '../../scripts/chaos/options';
import { ALL_FAULTS } from '../../scripts/chaos/schedule';

describe('parseChaosArgs', () => {
  it('defaults to 15000 readings at 80/s, every fault, a random seed', () => {
    expect(parseChaosArgs([], () => 42)).toEqual({
      readings: 15_000,
      ratePerSecond: 80,
      seed: 42,
      json: false,
      faults: ALL_FAULTS,
      devices: 20,
      drainTimeoutMs: 120_000,
    });
  });

  it('takes every option', () => {
    expect(
      parseChaosArgs([
        '--readings',
        '3000',
        '--rate=50',
        '--seed',
        '7',
        '--out',
        'r.json',
        '--json',
        '--faults',
        'kill:web, restart:kafka',
        '--devices',
        '5',
        '--drain-timeout',
        '30',
      ]),
    ).toEqual({
      readings: 3000,
      ratePerSecond: 50,
      seed: 7,
      out: 'r.json',
      json: true,
      faults: ['kill:web', 'restart:kafka'],
      devices: 5,
      drainTimeoutMs: 30_000,
    });
  });

  it('returns help for --help', () => {
    expect(parseChaosArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--readings', '0'], '--readings=0: must be an integer from 1 to 1000000'],
    [['--readings', '1.5'], '--readings=1.5: must be an integer from 1 to 1000000'],
    [['--rate', '5001'], '--rate=5001: must be an integer from 1 to 5000'],
    [['--rate=-3'], '--rate=-3: must be an integer from 1 to 5000'],
    [['--seed', 'x'], '--seed=x: must be an integer from 0 to 4294967295'],
    [['--seed', '4294967296'], '--seed=4294967296: must be an integer from 0 to 4294967295'],
    [['--faults', 'kill:db'], 'unknown "kill:db"'],
    [['--faults', ''], 'allowed: a comma-separated list of kill:ingest'],
    [['--faults', 'kill:web,kill:web'], 'each fault may be named once'],
    [['--out', ' '], '--out: must be a file path'],
    [['--readings'], "Option '--readings <value>' argument missing"],
    [['--nope'], "Unknown option '--nope'"],
    [['extra'], 'Unexpected argument'],
  ])('rejects %j with a UsageError naming what is allowed', (argv, message) => {
    expect(() => parseChaosArgs(argv)).toThrow(UsageError);
    expect(() => parseChaosArgs(argv)).toThrow(message);
  });
});
