/** A stream that text is written to: `process.stdout`, `process.stderr`, or a test's stand-in. */
export interface WritableText {
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean;
}

/** Turns one captured line into what is written instead (`undefined`: nothing). */
export type LineRewriter = (line: string) => string | undefined;

/**
 * Takes over the writes to `stream`, as the Lambda runtime reads a function's stdout: what
 * is written (Powertools Logger writes one JSON line per call) is split into lines, and each
 * complete line goes through `rewrite`; what it returns is written, with a newline, to the
 * stream itself. Returns a function that gives the stream back, writing a last partial line.
 */
export function captureLines(stream: WritableText, rewrite: LineRewriter): () => void {
  const write = stream.write;
  const original = write.bind(stream);
  let pending = '';
  const emit = (line: string) => {
    const replacement = rewrite(line);
    if (replacement !== undefined) original(`${replacement}\n`);
  };
  stream.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) emit(line);
    // Callers may pass (encoding, callback) or (callback): the write is done.
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    callback?.();
    return true;
  };
  return () => {
    stream.write = write;
    if (pending) emit(pending);
    pending = '';
  };
}
