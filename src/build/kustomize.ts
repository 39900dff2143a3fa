/**
 * The kustomize that builds a directory with a kustomization file: a `kustomize` binary on
 * PATH, else `kubectl kustomize` (kubectl bundles kustomize). No Node implementation of
 * kustomize exists, so this one thing runs a program; it runs with Flux's build settings (load
 * restrictions off, no plugins, no Helm) and with the network closed to it.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface KustomizeTool {
  /** How it is run: `kustomize build DIR` or `kubectl kustomize DIR`. */
  kind: 'kustomize' | 'kubectl';
  path: string;
  /** e.g. `kustomize v5.5.0` or `kubectl v1.32.4 (kustomize v5.5.0)`. */
  version: string;
}

export class KustomizeError extends Error {
  constructor(
    message: string,
    /** It did not finish in time (not a problem of the manifests). */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** An executable named `name` on PATH (with Windows' extensions where they apply). */
export function which(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        if (!statSync(candidate).isFile()) continue;
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not there, or not executable
      }
    }
  }
  return undefined;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** It printed more than MAX_OUTPUT and was stopped. */
  overflowed: boolean;
}

const MAX_OUTPUT = 64 * 1024 * 1024;

/** Runs a program to completion within `timeoutMs`, its output bounded. */
export function run(path: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that the deadline stops whatever it started too (git, helm).
    const group = process.platform !== 'win32';
    const child = spawn(path, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, detached: group });
    const stop = (): void => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
    };
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let overflowed = false;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_OUTPUT) into.push(chunk);
      else if (!overflowed) {
        overflowed = true;
        stop();
      }
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, overflowed });
    });
  });
}

/**
 * An environment in which a build cannot reach the network: HTTP(S) goes to a closed local
 * port and git may use local repositories only. Remote bases are refused before that (see
 * remoteReferences); this is the second lock.
 */
export function offlineEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const closed = 'http://127.0.0.1:9';
  return {
    ...env,
    HTTP_PROXY: closed, HTTPS_PROXY: closed, http_proxy: closed, https_proxy: closed, NO_PROXY: '', no_proxy: '',
    GIT_ALLOW_PROTOCOL: 'file', GIT_TERMINAL_PROMPT: '0',
  };
}

const VERSION_TIMEOUT_MS = 15_000;

function firstVersion(text: string, after: RegExp): string | undefined {
  return after.exec(text)?.[1];
}

/** Finds kustomize (or kubectl) on PATH and asks it its version; undefined if neither is there. */
export async function findKustomize(env: NodeJS.ProcessEnv): Promise<KustomizeTool | undefined> {
  const kustomize = which('kustomize', env);
  if (kustomize) {
    const r = await run(kustomize, ['version'], { env: offlineEnv(env), timeoutMs: VERSION_TIMEOUT_MS });
    const v = firstVersion(`${r.stdout}\n${r.stderr}`, /(v?\d+\.\d+\.\d+[^\s"}]*)/);
    return { kind: 'kustomize', path: kustomize, version: `kustomize ${v ?? 'version unknown'}` };
  }
  const kubectl = which('kubectl', env);
  if (kubectl) {
    const r = await run(kubectl, ['version', '--client'], { env: offlineEnv(env), timeoutMs: VERSION_TIMEOUT_MS });
    const text = `${r.stdout}\n${r.stderr}`;
    const client = firstVersion(text, /Client Version:\s*(\S+)/) ?? 'version unknown';
    const bundled = firstVersion(text, /Kustomize Version:\s*(\S+)/);
    return { kind: 'kubectl', path: kubectl, version: `kubectl ${client}${bundled ? ` (kustomize ${bundled})` : ''}` };
  }
  return undefined;
}

/** `kustomize build` of one directory with Flux's settings; the YAML stream it printed. */
export async function kustomizeBuild(tool: KustomizeTool, dir: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const args = tool.kind === 'kustomize' ? ['build', '--load-restrictor', 'LoadRestrictionsNone', dir] : ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', dir];
  const r = await run(tool.path, args, { env: offlineEnv(env), cwd: dir, timeoutMs });
  if (r.timedOut) throw new KustomizeError(`${tool.kind === 'kustomize' ? 'kustomize build' : 'kubectl kustomize'} did not finish within ${Math.round(timeoutMs / 1000)}s`, true);
  if (r.overflowed) throw new KustomizeError(`the build printed more than ${MAX_OUTPUT / 1024 / 1024} MiB`);
  if (r.code !== 0) throw new KustomizeError(errorMessage(r.stderr) || `exited with code ${r.code}`);
  return r.stdout;
}

const MAX_MESSAGE = 4000;

/**
 * kustomize's message without its decoration (`Error: …`, or kubectl's log line
 * `… "command failed" err="…"`), without control characters and at most MAX_MESSAGE long:
 * it quotes the user's files.
 */
export function errorMessage(stderr: string): string {
  const text = extractMessage(stderr).replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function extractMessage(stderr: string): string {
  const text = stderr.trim();
  const logged = /"command failed" err="((?:[^"\\]|\\.)*)"/.exec(text);
  if (logged) {
    try {
      return JSON.parse(`"${logged[1]}"`) as string;
    } catch {
      return logged[1]!;
    }
  }
  return text.replace(/^Error:\s*/, '');
}
