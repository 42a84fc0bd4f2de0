import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Percentiles of a set of durations, in milliseconds, by the nearest-rank method. */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarise(valuesMs: number[]): Summary {
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const rank = (fraction: number): number =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    count: sorted.length,
    p50: round(rank(0.5)),
    p95: round(rank(0.95)),
    p99: round(rank(0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(total / Math.max(1, sorted.length)),
  };
}

/** The facts about this machine that the figures depend on. */
export function machineDescription() {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  return {
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    cpuModel,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
