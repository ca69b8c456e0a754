import { describe, expect, it } from 'vitest';
import { parseCliArguments, parseDuration } from './cli-arguments';

describe('parseDuration', () => {
  it('reads ms, s and m, and a bare number in the given unit', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('20', 'ms')).toBe(20);
    expect(() => parseDuration('5 minutes')).toThrow(/not a duration/);
  });
});

describe('parseCliArguments', () => {
  it('turns the flags into runOpenLoop options', () => {
    const command = parseCliArguments([
      '--url',
      'http://127.0.0.1:3000/api/x',
      '--rate',
      '500',
      '--duration',
      '10s',
      '--warmup',
      '3s',
      '--header',
      'Cookie: sid=abc; theme=dark',
      '--header',
      'Accept:application/json',
      '--connections',
      '64',
      '--json',
    ]);
    expect(command).toEqual({
      kind: 'run',
      json: true,
      options: {
        url: 'http://127.0.0.1:3000/api/x',
        rate: 500,
        durationMs: 10_000,
        warmupMs: 3_000,
        headers: { cookie: 'sid=abc; theme=dark', accept: 'application/json' },
        connections: 64,
      },
    });
  });

  it('turns --rates into findMaxRate options', () => {
    const command = parseCliArguments([
      '--url',
      'http://127.0.0.1:3000/',
      '--rates',
      '200, 500,1000',
      '--p99-target',
      '25',
    ]);
    expect(command).toMatchObject({
      kind: 'find',
      options: { rates: [200, 500, 1_000], p99TargetMs: 25, settleMs: 1_000 },
    });
    expect(command.kind === 'find' && 'rate' in command.options).toBe(false);
  });

  it('lists every problem at once', () => {
    expect(() =>
      parseCliArguments(['--rate', 'fast', '--header', 'no colon', '--duration', '1 hour']),
    ).toThrow(
      /--url is required[\s\S]*'Name: value'[\s\S]*--rate must be[\s\S]*"1 hour" is not a duration/,
    );
  });
});
