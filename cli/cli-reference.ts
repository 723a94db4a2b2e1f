/**
 * The CLI's reference in Markdown, made from the spec in command-spec.ts; `npm run docs`
 * writes it to docs/reference/cli.md (docs/reference-pages.ts), and a test fails when that
 * file is stale.
 */
import { flagBounds, flagScope, flagSynopsis, synopsis } from './cli-usage.js';
import {
  type CommandSpec,
  commandNames,
  commandPrefix,
  commands,
  type FlagSpec,
  flagNames,
  flags,
  flagsOf,
  notes,
} from './command-spec.js';

/** A table cell: `|` escaped, lines joined. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function code(text: string): string {
  return `\`${text}\``;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** The commands table: each command with its argument, the options it takes, what it does. */
export function commandsTable(): string {
  const rows = commandNames.map((name) => {
    const spec: CommandSpec = commands[name];
    const options = flagsOf(name)
      .filter((flag) => flag !== 'help')
      .map((flag) => code(`--${flag}`));
    const command = `${code(synopsis(name))}${spec.shortcut ? ` (${code(spec.shortcut)})` : ''}`;
    return [command, options.join(', ') || '-', spec.summary];
  });
  return table(['command', 'options', 'does'], rows);
}

/** The options table: each flag, the commands that take it, what it does, bounds and default. */
export function optionsTable(): string {
  const rows = flagNames.map((flag) => {
    const spec: FlagSpec = flags[flag];
    const scope = flagScope(flag, code) ?? 'any';
    const commandsCell = `${scope}${spec.local ? ` (not with ${code('--aws')})` : ''}`;
    const bounds = flagBounds(flag);
    const option = flagSynopsis(flag)
      .split(', ')
      .map((each) => code(each))
      .join(', ');
    return [option, commandsCell, `${spec.description}${bounds ? ` (${bounds})` : ''}`];
  });
  return table(['option', 'commands', 'meaning'], rows);
}

/** The whole reference page. */
export function cliReference(): string {
  return [
    '<!-- Made from cli/command-spec.ts by `npm run docs`: edit the spec, not this file. -->',
    '',
    '# Command line',
    '',
    `${code('npm start [-- options]')} runs the local scheduler; ${code(`${commandPrefix} <command> [options]`)} runs any command (${code('npm run -s jobs -- ...')} keeps npm's own lines out of the output). ${code(`${commandPrefix} --help`)} prints the same in short.`,
    '',
    '## Commands',
    '',
    commandsTable(),
    '',
    '## Options',
    '',
    optionsTable(),
    '',
    ...notes.flatMap((note) => [note, '']),
  ].join('\n');
}
