/** The CLI's usage text (`npm run jobs -- --help`), made from the spec in command-spec.ts. */
import {
  type CommandName,
  type CommandSpec,
  commandNames,
  commandPrefix,
  commands,
  commandsOf,
  type FlagName,
  type FlagSpec,
  flagNames,
  flags,
  flagsOf,
  notes,
} from './command-spec.js';

/** The width the text is wrapped to. */
const width = 100;

/** `run <job>`, `history [job]`, `pause <job> --aws`: a command with its argument. */
export function synopsis(command: CommandName): string {
  const spec: CommandSpec = commands[command];
  const argument = spec.argument
    ? spec.argument.required
      ? ` <${spec.argument.name}>`
      : ` [${spec.argument.name}]`
    : '';
  return `${command}${argument}${spec.aws === 'required' ? ' --aws' : ''}`;
}

/** `--limit <n>`, `-h, --help`. */
export function flagSynopsis(flag: FlagName): string {
  const spec: FlagSpec = flags[flag];
  const short = spec.short ? `-${spec.short}, ` : '';
  return `${short}--${flag}${spec.value ? ` <${spec.value}>` : ''}`;
}

/** What the flag's value may be, and its default: `1 to 1000, default 20`. */
export function flagBounds(flag: FlagName): string | undefined {
  const spec: FlagSpec = flags[flag];
  if (spec.type !== 'integer') return undefined;
  const unit = spec.unit ? ` ${spec.unit}` : '';
  const fallback = spec.default === undefined ? '' : `, default ${spec.default}`;
  return `${spec.min ?? 0} to ${spec.max}${unit}${fallback}`;
}

/**
 * Which commands take the flag, as the usage text and the reference say it: `run, start`,
 * `with --aws` (`--stage`, `--region`), or `undefined` for any command (`--help`).
 */
export function flagScope(
  flag: FlagName,
  mark: (code: string) => string = (code) => code,
): string | undefined {
  const spec: FlagSpec = flags[flag];
  if (spec.commands === 'all') return undefined;
  if (spec.group === 'aws' && flag !== 'aws') return `with ${mark('--aws')}`;
  return commandsOf(flag).join(', ');
}

/** Whether the command takes flags other than `--help` (and the `--aws` it needs). */
function takesOptions(command: CommandName): boolean {
  const spec: CommandSpec = commands[command];
  return flagsOf(command).some(
    (flag) => flag !== 'help' && !(spec.aws === 'required' && flag === 'aws'),
  );
}

/** Drops the backticks that mark code in the spec's descriptions. */
function plain(text: string): string {
  return text.replaceAll('`', '');
}

/**
 * `left` padded to `column`, then `text` (code marked with backticks, which are dropped)
 * wrapped to the width, indented to the column.
 */
function row(left: string, column: number, text: string): string {
  const lines: string[] = [];
  let line = left.padEnd(column);
  let empty = true;
  // A code span (`npm run -s jobs -- db`) is never broken across lines.
  const words = (text.match(/(?:`[^`]*`|[^\s`])+/g) ?? []).map(plain);
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(column);
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

function paragraph(text: string): string {
  return row('', 0, text);
}

function renderUsage(): string {
  const usageLines: [string, string][] = [];
  for (const command of commandNames) {
    const spec: CommandSpec = commands[command];
    const options = takesOptions(command) ? ' [options]' : '';
    if (spec.shortcut) {
      usageLines.push([
        `${spec.shortcut}${options ? ' [-- options]' : ''}`,
        `same as ${commandPrefix} ${command}${options}`,
      ]);
    }
    usageLines.push([`${commandPrefix} ${synopsis(command)}${options}`, spec.summary]);
  }
  const optionLines = flagNames.map((flag): [string, string] => {
    const spec: FlagSpec = flags[flag];
    const scope = flagScope(flag);
    const bounds = flagBounds(flag);
    const text = `${scope ? `${scope}: ` : ''}${spec.description}${bounds ? ` (${bounds})` : ''}`;
    return [flagSynopsis(flag), text];
  });
  const commandColumn = Math.max(...usageLines.map(([left]) => left.length)) + 4;
  const optionColumn = Math.max(...optionLines.map(([left]) => left.length)) + 4;
  return [
    'Usage:',
    ...usageLines.map(([left, text]) => row(`  ${left}`, commandColumn, text)),
    '',
    'Options:',
    ...optionLines.map(([left, text]) => row(`  ${left}`, optionColumn, text)),
    '',
    ...notes.map((note) => paragraph(note)),
  ].join('\n');
}

/** The CLI's usage text (`npm run jobs -- --help`). */
export const usage = renderUsage();
