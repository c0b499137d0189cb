/**
 * A real SMTP server in the test process (smtp-server), whose messages the test reads as received,
 * parsed by mailparser. `refuse`: how many messages it answers 451 before it accepts (Infinity:
 * all). Port 0: an ephemeral port, so parallel tests never collide.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  url: string;
  port: number;
  /** Messages accepted, parsed, in order. */
  messages: ParsedMail[];
  /** Attempts answered with a refusal. */
  refused: number;
  /** Accepts from now on. */
  recover(): void;
  close(): Promise<void>;
}

export async function startSmtp(options: { refuse?: number } = {}): Promise<TestSmtp> {
  let toRefuse = options.refuse ?? 0;
  const state: TestSmtp = {
    url: '',
    port: 0,
    messages: [],
    refused: 0,
    recover: () => (toRefuse = 0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    // STARTTLS stays offered (with smtp-server's own self-signed certificate), as a city relay may.
    disabledCommands: ['AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (toRefuse > 0) {
          toRefuse--;
          state.refused++;
          const error = new Error('Mailbox temporarily unavailable, try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          return callback(error);
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            state.messages.push(parsed);
            callback(null, 'Message queued');
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.port = (server.server.address() as AddressInfo).port;
  state.url = `smtp://127.0.0.1:${state.port}`;
  return state;
}
