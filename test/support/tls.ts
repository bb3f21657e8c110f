import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';

/** A CA made for one test run, and a server certificate it issued. */
export interface TestPki {
  readonly dir: string;
  /** PEM file of the CA certificate: what an operator gives as alationCaCertificatePath. */
  readonly caPath: string;
  readonly serverKey: string;
  readonly serverCert: string;
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    // No silent skip: a machine without the openssl CLI cannot run the TLS tests, and says so.
    throw new Error(`openssl ${args[0]} failed (is the openssl CLI installed?): ${(error as Error).message}`);
  }
}

/**
 * Generates a CA and a server certificate for `127.0.0.1` (IP SAN only) with the openssl CLI,
 * valid for two days, in a fresh temporary folder.
 */
export function makeTestPki(name = 'Test'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'pki-'));
  const caKey = join(dir, 'ca.key');
  const caPath = join(dir, 'ca.pem');
  const key = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const cert = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', caKey, '-out', caPath, '-days', '2', '-subj', `/CN=${name} private CA`]);
  openssl(['req', ...ec, '-keyout', key, '-out', csr, '-subj', '/CN=alation.internal']);
  writeFileSync(ext, 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', csr, '-CA', caPath, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext]);
  return { dir, caPath, serverKey: readFileSync(key, 'utf8'), serverCert: readFileSync(cert, 'utf8') };
}

/**
 * Real TLS on loopback in front of a plain-HTTP server (the Alation simulator): terminates TLS
 * with the given certificate and pipes each connection to `127.0.0.1:targetPort`.
 */
export async function startTlsFront(pki: TestPki, targetPort: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(socket).add(upstream);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
