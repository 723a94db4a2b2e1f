import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watchStopRequests } from '../../../cli/stop-requests.js';

describe('watchStopRequests', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'])('resolves with %s', async (signal) => {
    // Prepare
    const signals = new EventEmitter();
    const watch = watchStopRequests({ signals, streams: [], onRepeat: () => undefined });

    // Act
    signals.emit(signal, signal);

    // Assess
    await expect(watch.requested).resolves.toBe(signal);
  });

  it('takes a write error on an output stream (EPIPE) as a stop request, and handles later errors', async () => {
    // Prepare
    const stdout = new EventEmitter();
    const repeats: string[] = [];
    const watch = watchStopRequests({
      signals: new EventEmitter(),
      streams: [stdout],
      onRepeat: (reason) => repeats.push(reason),
    });
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

    // Act: without a listener, the second emit would throw
    stdout.emit('error', epipe);
    stdout.emit('error', epipe);

    // Assess
    await expect(watch.requested).resolves.toBe('output closed (EPIPE)');
    expect(repeats).toEqual([]);
  });

  it('reports signals that come while the stop is under way, and keeps handling them', async () => {
    // Prepare
    const signals = new EventEmitter();
    const repeats: string[] = [];
    const watch = watchStopRequests({ signals, streams: [], onRepeat: (r) => repeats.push(r) });

    // Act
    signals.emit('SIGINT', 'SIGINT');
    signals.emit('SIGINT', 'SIGINT');
    signals.emit('SIGHUP', 'SIGHUP');

    // Assess
    await expect(watch.requested).resolves.toBe('SIGINT');
    expect(repeats).toEqual(['SIGINT', 'SIGHUP']);
    expect(signals.listenerCount('SIGINT')).toBe(1);
    watch.dispose();
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });
});
