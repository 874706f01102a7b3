import * as tls from 'node:tls';
import { ClearableTransport, completeRecordLength } from '../../../reference-server/tls/clearable-transport';
import { createSessionSecureContext, loadOrGenerateCertificate, upgradeToTls } from '../../../reference-server/tls';
import { Loopback, once, readLine } from './helpers';

describe('completeRecordLength: TLS record framing', () => {
  it.each([
    ['empty', [], 0],
    ['handshake header only', [22, 3, 1, 0, 2], 0],
    ['complete handshake record', [22, 3, 1, 0, 2, 9, 9], 7],
    ['record followed by more', [23, 3, 3, 0, 1, 9, 22, 3], 6],
    ['one byte of a record', [21], 0],
    ['plaintext FTP command', [...Buffer.from('NOOP\r\n')], -1],
    ['content type ok, bad version', [22, 0x4f], -1],
  ])('%s', (_title, bytes, expected) => {
    expect(completeRecordLength(Buffer.from(bytes as number[]))).toBe(expected);
  });
});

describe('ClearableTransport', () => {
  let loopback: Loopback;
  beforeEach(async () => {
    loopback = await Loopback.listen();
  });
  afterEach(async () => {
    await loopback.close();
  });

  it('while clearing, forwards whole TLS records and hands the plaintext behind them back to the socket', async () => {
    const client = await loopback.connect();
    const server = await loopback.accept();
    const transport = loopback.track(new ClearableTransport(server));
    transport.beginClearing();
    const forwarded: Buffer[] = [];
    transport.on('data', (chunk: Buffer) => forwarded.push(chunk));
    const fakeCloseNotify = Buffer.from([23, 3, 3, 0, 3, 1, 2, 3]);
    client.write(Buffer.concat([fakeCloseNotify, Buffer.from([23, 3]), Buffer.from('x')]).subarray(0, 10)); // record + partial header
    await once(transport, 'data');
    expect(Buffer.concat(forwarded)).toEqual(fakeCloseNotify);
    client.write(Buffer.from([3, 0, 0])); // completes an empty record
    client.write('USER plain\r\n');
    await once(server, 'data');
    const socket = transport.finishClearing();
    expect(Buffer.concat(forwarded)).toEqual(Buffer.concat([fakeCloseNotify, Buffer.from([23, 3, 3, 0, 0])]));
    expect((await readLine(socket)).line).toBe('USER plain');
  });

  it('ending TLS while protected ends the TCP connection (no CCC)', async () => {
    const pair = await loadOrGenerateCertificate();
    const clientRaw = await loopback.connect();
    const serverRaw = await loopback.accept();
    const upgrading = upgradeToTls(serverRaw, createSessionSecureContext(pair), { allowClear: true });
    const client = loopback.track(tls.connect({ socket: clientRaw, rejectUnauthorized: false }));
    const server = loopback.track(await upgrading);
    client.resume();
    server.end('221 Goodbye.\r\n');
    await once(clientRaw, 'close');
  });
});
