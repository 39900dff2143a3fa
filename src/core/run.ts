/**
 * Wiring between commander and a command's run(): the global arguments every command takes,
 * early validation of -o/--query (so a typo never sends anything), and printing the returned
 * data through the one output layer.
 */
import { Option, type Command } from 'commander';
import { createContext, processIo, type Context, type GlobalOptions, type Io } from './context.js';
import type { Column, OutputFormat } from './output.js';

/** The -o values (the output layer itself is loaded only when a command runs). */
const OUTPUT_FORMAT_NAMES = ['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none'] satisfies OutputFormat[];

export interface CommandOutput {
  data: unknown;
  /** Format used when -o is not given. */
  defaultFormat?: OutputFormat;
  /** Table layout for -o table. */
  columns?: Column[];
  /** The rows of -o table when they are not `data` itself (e.g. the items of a v1 List). */
  rows?: unknown[];
  /** Replaces YAML output (when -o yaml/yamlc and no --query): a multi-document stream of these, each with an optional comment. */
  documents?: { object: unknown; comment?: string }[];
  /** Replaces YAML output (when -o yaml/yamlc and no --query) with text of the command's own. */
  yaml?: string;
  /** Replaces table output (when -o table and no --query): a view of its own. */
  table?: string;
  /** Lines for stderr after the data (e.g. how to follow what was just created). */
  after?: string[];
}

export type Handler<O> = (options: O, ctx: Context) => Promise<CommandOutput | void>;

let io: Io = processIo();

/** Lets in-process tests capture the streams. */
export function setIo(replacement: Io): void {
  io = replacement;
}

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Global Arguments:')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMAT_NAMES))
    .option('--query <jmespath>', 'JMESPath query applied to the output (https://jmespath.org)')
    .option('--debug', 'log every step and HTTP exchange to stderr (secrets redacted)')
    .option('--verbose', 'log the steps to stderr')
    .option('--only-show-errors', 'print errors only; no warnings')
    .option('--no-color', 'no colours (NO_COLOR is respected too)');
}

export function action<O extends GlobalOptions>(handler: Handler<O>): (options: O) => Promise<void> {
  return async (options: O) => {
    // The output layer (yaml, JMESPath) is loaded only when a command runs, never for --help.
    const [{ compileQuery, formatOutput, formatYamlStream, parseOutputFormat }, { redactor }] = await Promise.all([import('./output.js'), import('./redact.js')]);
    const format = options.output !== undefined ? parseOutputFormat(options.output) : undefined;
    if (options.query !== undefined) compileQuery(options.query);
    const ctx = createContext(io, options);
    // The command line itself is not logged: it may hold a secret not yet known to the redactor.
    const out = await handler(options, ctx);
    if (!out) return;
    const chosen = format ?? out.defaultFormat ?? 'json';
    // Data is redacted by structure, then formatted and written as is: text redaction never
    // runs over formatted JSON or YAML, so it can never make them invalid.
    const raw = (text: string): void => void io.stdout.write(text);
    const tableRows = chosen === 'table' && options.query === undefined && out.rows !== undefined;
    if ((chosen === 'yaml' || chosen === 'yamlc') && out.documents !== undefined && options.query === undefined) {
      raw(formatYamlStream(out.documents.map((d) => ({ ...d, object: redactor.redactData(d.object) }))));
    } else if ((chosen === 'yaml' || chosen === 'yamlc') && out.yaml !== undefined && options.query === undefined) ctx.stdout.write(out.yaml);
    else if (chosen === 'table' && out.table !== undefined && options.query === undefined) ctx.stdout.write(out.table);
    else {
      raw(
        formatOutput(redactor.redactData(tableRows ? out.rows : out.data), {
          format: chosen,
          ...(options.query !== undefined ? { query: options.query } : {}),
          ...(out.columns ? { columns: out.columns } : {}),
          color: ctx.color.stdout.level > 0,
        }),
      );
    }
    for (const line of out.after ?? []) ctx.log.info(line);
  };
}

export function currentIo(): Io {
  return io;
}
