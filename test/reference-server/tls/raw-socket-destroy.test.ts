import type * as net from 'node:net';
import * as tls from 'node:tls';
import { createSessionSecureContext, loadOrGenerateCertificate, upgradeToTls, wrapDataSocket } from '../../../reference-server/tls';
import { Loopback, once } from './helpers';

/**
 * Destroying the raw socket of a directly wrapped connection and then its TLSSocket used to crash
 * Node 20 with a segmentation fault (the whole jest worker died). The server's session code holds
 * the raw socket and will destroy it on ABOR or timeouts, so every order must be safe, and
 * destroying the raw socket must still close the connection and emit 'close' on both.
 */
describe('destroying a wrapped connection in any order', () => {
  let loopback: Loopback;
  beforeEach(async () => {
    loopback = await Loopback.listen();
  });
  afterEach(async () => {
    await loopback.close();
  });

  const orders: Array<[string, Array<'raw' | 'tls'>]> = [
    ['raw, then TLS', ['raw', 'tls']],
    ['TLS, then raw', ['tls', 'raw']],
    ['raw only', ['raw']],
    ['TLS only', ['tls']],
  ];

  it.each(['control (upgradeToTls)', 'data (wrapDataSocket)'].flatMap((kind) => orders.map(([title, order]) => [kind, title, order] as const)))(
    '%s: %s',
    async (kind, _title, order) => {
      const pair = await loadOrGenerateCertificate();
      const context = createSessionSecureContext(pair);
      const clientRaw = await loopback.connect();
      const serverRaw = await loopback.accept();
      const wrapping = kind.startsWith('control') ? upgradeToTls(serverRaw, context) : wrapDataSocket(serverRaw, context);
      const client = loopback.track(tls.connect({ socket: clientRaw, rejectUnauthorized: false }));
      const [server] = await Promise.all([wrapping, once(client, 'secureConnect')]);
      const closed = Promise.all([once(serverRaw, 'close'), once(server, 'close'), once(clientRaw, 'close')]);
      const sockets: Record<'raw' | 'tls', net.Socket> = { raw: serverRaw, tls: server };
      for (const which of order) sockets[which].destroy();
      await closed;
      expect(serverRaw.destroyed && server.destroyed).toBe(true);
    },
  );
});
