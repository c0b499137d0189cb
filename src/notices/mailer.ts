/**
 * The mailer over nodemailer (docs/decisions.md W49): one message handed to the SMTP server of
 * SRO_SMTP_URL (`smtp://` upgrades with STARTTLS when the server offers it, `smtps://` is TLS from
 * the start, `smtp://...?tls=verify` requires STARTTLS with a verified certificate), retried with the configured delays when the server refuses or cannot be reached.
 */
import nodemailer from 'nodemailer';

export interface OutgoingMessage {
  to: { name: string; address: string };
  from: string;
  subject: string;
  text: string;
  /** Absent: a plain-text message (a witness's checkpoint must arrive byte for byte). */
  html?: string;
  /** Files attached as they are (a witness's checkpoint, src/witnesses). */
  attachments?: { filename: string; content: string; contentType: string }[];
  /** The Message-ID header, `<...@...>`: the same for a notice however often it is attempted. */
  messageId: string;
}

export type SendOutcome = { sent: true; messageId: string; response: string; attempts: number } | { sent: false; error: string; attempts: number };

export class Mailer {
  private readonly transport;

  constructor(
    smtpUrl: string,
    private readonly retryDelaysMs: number[],
    timeoutMs = 30_000,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    const url = new URL(smtpUrl);
    const implicitTls = url.protocol === 'smtps:';
    const verify = implicitTls || url.searchParams.get('tls') === 'verify';
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : implicitTls ? 465 : 587,
      secure: implicitTls,
      // smtp://: STARTTLS whenever the server offers it, opportunistic as between mail servers
      // (RFC 7435): better than plain text even when its certificate cannot be checked (a relay
      // inside the city's network with a self-signed one). smtps:// and smtp://...?tls=verify:
      // TLS required and the certificate verified (docs/decisions.md W54).
      requireTLS: verify && !implicitTls,
      tls: { rejectUnauthorized: verify },
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  /** Sends `message`, retrying after each delay; the last error when every attempt failed. */
  async send(message: OutgoingMessage): Promise<SendOutcome> {
    let attempts = 0;
    let lastError = '';
    for (const wait of [0, ...this.retryDelaysMs]) {
      if (wait > 0) await this.sleep(wait);
      attempts++;
      try {
        const info = await this.transport.sendMail({
          from: message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          attachments: message.attachments,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        });
        return { sent: true, messageId: info.messageId, response: String(info.response ?? ''), attempts };
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    return { sent: false, error: lastError, attempts };
  }

  close(): void {
    this.transport.close();
  }
}
