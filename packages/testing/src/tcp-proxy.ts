/**
 * A TCP proxy to put between a client and a real server, so a test can make
 * the server unreachable (close) and reachable again (reopen, same port), make
 * it stop answering while connections stay open (freeze, as a SIGSTOPped
 * process would) and answer again (thaw), or count what the server sends,
 * without touching the server itself.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Stops listening and cuts every connection through the proxy. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  /**
   * Stops forwarding in both directions; connections are still accepted and
   * kept open, and bytes wait in the buffers, as with a frozen server.
   */
  freeze(): void;
  /** Forwards again, the waiting bytes first. */
  thaw(): void;
  /** Bytes the server has sent through the proxy so far. */
  readonly bytesFromServer: number;
}

interface Pair {
  client: Socket;
  upstream: Socket;
}

/** Starts a proxy on a free loopback port forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  let server: Server | undefined;
  let port = 0;
  let frozen = false;
  let bytesFromServer = 0;

  const forward = ({ client, upstream }: Pair) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const hold = ({ client, upstream }: Pair) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };

  const listen = async () => {
    server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      const pair = { client, upstream };
      pairs.add(pair);
      for (const socket of [client, upstream]) {
        socket.on("close", () => pairs.delete(pair));
        socket.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      upstream.on("data", (chunk: Buffer) => {
        bytesFromServer += chunk.length;
      });
      if (frozen) hold(pair);
      else forward(pair);
    });
    await new Promise<void>((resolve) => server?.listen(port, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  };
  await listen();

  return {
    get port() {
      return port;
    },
    get bytesFromServer() {
      return bytesFromServer;
    },
    close: async () => {
      const closed = new Promise((resolve) => server?.close(resolve));
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await closed;
    },
    reopen: listen,
    freeze: () => {
      frozen = true;
      for (const pair of pairs) hold(pair);
    },
    thaw: () => {
      frozen = false;
      for (const pair of pairs) forward(pair);
    },
  };
}
