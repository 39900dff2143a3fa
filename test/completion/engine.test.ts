/**
 * Completion answers come from the real command tree, every group built: each test walks the
 * whole tree (so commands and flags added later are covered without a list kept here) or
 * names the cases the issue asks for: commands, flags, values of choice flags, file names.
 */
import { describe, test, expect, beforeAll } from '@jest/globals';
import { Help, type Command } from 'commander';
import { buildProgram } from '../../src/cli.js';
import { complete, formatCompletion, type Completion } from '../../src/completion/engine.js';
import { flagValues } from '../../src/completion/values.js';

let program: Command;
beforeAll(async () => {
  program = await buildProgram([], { all: true });
});

const values = (words: string[]): string[] => complete(program, words, flagValues).candidates.map((c) => c.value);
const answer = (words: string[]): Completion => complete(program, words, flagValues);

/** Every command of the tree with its path, hidden ones left out. */
function commands(cmd: Command, path: string[] = []): Array<{ path: string[]; cmd: Command }> {
  const help = new Help();
  return help.visibleCommands(cmd).filter((c) => cmd.commands.includes(c)).flatMap((c) => [{ path: [...path, c.name()], cmd: c }, ...commands(c, [...path, c.name()])]);
}

describe('commands', () => {
  test('the top level lists every group and command, the completion helper not', () => {
    const top = values(['']);
    expect(top).toEqual(expect.arrayContaining(['extension', 'flux', 'status', 'init', 'completion']));
    expect(top).not.toContain('__complete');
  });

  test('flux config cr completes to create', () => {
    expect(values(['flux', 'config', 'cr'])).toEqual(['create']);
    expect(values(['flux', 'con'])).toEqual(['config']);
  });

  test('every group offers exactly its subcommands, with their summaries', () => {
    const all = commands(program);
    expect(all.length).toBeGreaterThan(15);
    for (const { path, cmd } of all) {
      if (cmd.commands.length === 0) continue;
      const offered = answer([...path, '']);
      expect({ path, offered: offered.candidates.map((c) => c.value).sort() }).toEqual({ path, offered: new Help().visibleCommands(cmd).filter((c) => cmd.commands.includes(c)).map((c) => c.name()).sort() });
      expect(offered.candidates.every((c) => c.description)).toBe(true);
    }
  });
});

describe('flags', () => {
  test('every command offers each of its visible flags, long and short, and no hidden one', () => {
    const help = new Help();
    for (const { path, cmd } of commands(program)) {
      const offered = new Set(values([...path, '-']));
      for (const option of cmd.options) {
        for (const flag of [option.long, option.short].filter((f): f is string => Boolean(f))) {
          expect({ path, flag, offered: offered.has(flag) }).toEqual({ path, flag, offered: !option.hidden });
        }
      }
      expect(offered.has('--help')).toBe(help.visibleOptions(cmd).some((o) => o.long === '--help'));
    }
  });

  test('a prefix narrows the flags', () => {
    expect(values(['flux', 'config', 'create', '--kin'])).toEqual(['--kind']);
    expect(values(['flux', 'config', 'create', '--na'])).toEqual(['--name', '--namespace']);
  });

  test('flags are offered after a command that takes no word in that place', () => {
    expect(values(['flux', 'config', 'create', ''])).toContain('--url');
  });
});

describe('values', () => {
  test('-t, -o, --kind, --scope and --template offer the values their parsers accept', () => {
    expect(values(['flux', 'config', 'create', '-t', ''])).toEqual(['managedClusters', 'connectedClusters', 'provisionedClusters']);
    expect(values(['flux', 'config', 'create', '--cluster-type', 'conn'])).toEqual(['connectedClusters']);
    expect(values(['flux', 'config', 'show', '-o', ''])).toEqual(['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none']);
    expect(values(['flux', 'config', 'create', '--kind', ''])).toEqual(['git', 'bucket', 'azblob', 'oci']);
    expect(values(['flux', 'config', 'create', '--scope', ''])).toEqual(['cluster', 'namespace']);
    expect(values(['init', '--template', ''])).toEqual(['minimal', 'multi-env']);
    expect(values(['completion', ''])).toEqual(['bash', 'zsh', 'fish', 'powershell']);
  });

  test('declared choices are offered too, and --flag=value completes with its prefix', () => {
    expect(values(['flux', 'config', 'create', '--dry-run=a'])).toEqual(['--dry-run=arm']);
    expect(values(['flux', 'config', 'create', '--output=y'])).toEqual(['--output=yaml', '--output=yamlc']);
    expect(values(['status', '--wait-for', ''])).toEqual(['provisioned', 'compliant', 'ready']);
  });

  test('a value already given is skipped over: the next word is a flag again', () => {
    expect(values(['flux', 'config', 'create', '-t', 'managedClusters', '--kin'])).toEqual(['--kind']);
    expect(values(['flux', 'config', 'create', '-k', 'name=a', 'path=b', '--kin'])).toEqual(['--kind']);
  });

  test('file flags complete file names; directories where a directory is wanted', () => {
    expect(answer(['flux', 'config', 'create', '-f', ''])).toEqual({ candidates: [], directive: 'files' });
    expect(answer(['flux', 'config', 'build', '--substitute-from-file', 'x'])).toEqual({ candidates: [], directive: 'files' });
    expect(answer(['extension', 'create', '--config-file', ''])).toEqual({ candidates: [], directive: 'files' });
    expect(answer(['flux', 'config', 'build', '--source', ''])).toEqual({ candidates: [], directive: 'dirs' });
    expect(answer(['init', ''])).toEqual({ candidates: [], directive: 'dirs' });
  });

  test('every flag that names a file completes file names, whichever command it is on', () => {
    for (const { path, cmd } of commands(program)) {
      for (const option of cmd.options) {
        if (!option.long || !(option.long === '--file' || option.long.endsWith('-file'))) continue;
        expect({ path, flag: option.long, directive: answer([...path, option.long, '']).directive }).toEqual({ path, flag: option.long, directive: 'files' });
      }
    }
  });
});

test('the protocol: one candidate per line, value and description split by a tab, the directive last', () => {
  expect(formatCompletion({ candidates: [{ value: 'create', description: 'make one' }, { value: 'x' }], directive: 'values' })).toBe('create\tmake one\nx\n:values\n');
});
