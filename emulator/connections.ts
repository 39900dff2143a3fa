/**
 * Which TLS connections the emulator accepted and what each one carried (ARM, the token
 * endpoint, a cluster's Kubernetes API), so tests and the benchmark can see how many
 * connections a client opens: one per request, or one reused (keep-alive).
 */
import type { Socket } from 'node:net';

export type ConnectionUse = 'arm' | 'token' | 'kubernetes' | 'control';

export interface ConnectionCounts {
  /** Connections accepted since start-up or the last reset. */
  opened: number;
  /** Connections that carried at least one request of each kind. */
  arm: number;
  token: number;
  kubernetes: number;
}

export class ConnectionLog {
  private opened = 0;
  private uses = new WeakMap<Socket, Set<ConnectionUse>>();
  private counts: Record<Exclude<ConnectionUse, 'control'>, number> = { arm: 0, token: 0, kubernetes: 0 };

  accepted(socket: Socket): void {
    this.opened++;
    this.uses.set(socket, new Set());
  }

  /** Records that `socket` carried a request of this kind (counted once per connection). */
  used(socket: Socket, use: ConnectionUse): void {
    let set = this.uses.get(socket);
    if (!set) {
      set = new Set();
      this.uses.set(socket, set);
    }
    if (set.has(use)) return;
    set.add(use);
    if (use !== 'control') this.counts[use]++;
  }

  snapshot(): ConnectionCounts {
    return { opened: this.opened, ...this.counts };
  }

  /** Starts counting afresh; connections already open count again when they are next used. */
  clear(): void {
    this.opened = 0;
    this.uses = new WeakMap();
    this.counts = { arm: 0, token: 0, kubernetes: 0 };
  }
}
