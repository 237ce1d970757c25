/**
 * A loopback TCP proxy the tests put between worker processes and PostgreSQL, so that they can cut
 * every connection at once and refuse new ones for a while: what a PostgreSQL restart or a network
 * failure looks like from the workers' side.
 */
import net from 'node:net';

export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | null = null;
  #port = 0;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  /** A proxy on a free loopback port, forwarding to `targetUrl`'s host and port. */
  static async start(targetUrl: string): Promise<TcpProxy> {
    const { hostname, port } = new URL(targetUrl);
    const proxy = new TcpProxy({ host: hostname, port: Number(port || 5432) });
    await proxy.#listen(0);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(this.#port);
    return proxied.href;
  }

  /**
   * Resets every proxied connection (both sides), refuses new ones for `refuseMs`, then accepts
   * again on the same port.
   */
  async cut(refuseMs: number): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      for (const socket of this.#sockets) socket.resetAndDestroy();
      this.#sockets.clear();
    });
    await new Promise((resolve) => setTimeout(resolve, refuseMs));
    await this.#listen(this.#port);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    const server = this.#server;
    this.#server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #listen(port: number): Promise<void> {
    const server = net.createServer((client) => this.#forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  #forward(client: net.Socket): void {
    this.accepted++;
    const upstream = net.connect(this.#target);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.#sockets.delete(from);
        to.destroy();
      });
    }
  }
}
