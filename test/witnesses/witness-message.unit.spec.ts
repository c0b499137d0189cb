/**
 * The witness's message (src/witnesses/witness-message.ts; docs/integrity.md "Witnesses"): the
 * checkpoint attached byte for byte as checkpoint-<size>.txt, the one-line instruction with the
 * file's name and the key, and where the key is published only when the public page is on.
 */
import { checkpointFileName, renderWitnessMessage, type WitnessMessageInput } from '../../src/witnesses/witness-message';

const NOTE = 'sro-compliance/ledger-0123456789abcdef\n42\nq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=\n\n— sro-compliance/ledger-0123456789abcdef c2lnbmF0dXJl\n';
const input: WitnessMessageInput = {
  agency: { agencyId: 'lakeville-pd', name: 'Lakeville Police Department' },
  witness: { name: 'Dakota County Attorney', email: 'attorney@co.dakota.example.gov' },
  checkpoint: { treeSize: 42, rootHash: 'ab'.repeat(32), issuedAt: '2026-12-07T12:00:00.000Z', note: NOTE },
  verifierKey: 'sro-compliance/ledger-0123456789abcdef+12345678+AQID',
  publicPageUrl: 'https://sro.lakeville.example.gov/public/lakeville-pd',
  integrityUrl: 'https://sro.lakeville.example.gov/integrity',
};

describe('the witness message', () => {
  it.each([
    [1, 'checkpoint-1.txt'],
    [42, 'checkpoint-42.txt'],
    [1_000_000, 'checkpoint-1000000.txt'],
  ])('names the file of a checkpoint of %i events %s', (size, name) => {
    expect(checkpointFileName(size)).toBe(name);
  });

  it('attaches the checkpoint as signed and gives the one-line instruction with the key', () => {
    const message = renderWitnessMessage(input);
    expect(message.attachment).toEqual({ filename: 'checkpoint-42.txt', content: NOTE });
    expect(message.subject).toBe("Lakeville Police Department: the ledger's signed checkpoint of 42 events, to keep");
    expect(message.text).toContain(
      "Keep this file; to check the agency's records later, run: verify --checkpoint checkpoint-42.txt --public-key 'sro-compliance/ledger-0123456789abcdef+12345678+AQID' (or paste it on the Integrity page, https://sro.lakeville.example.gov/integrity).",
    );
    expect(message.text).toContain(NOTE.trimEnd());
    expect(message.text).toContain('root hash q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=, signed 2026-12-07 12:00 UTC');
    expect(message.text).toContain('publishes the same key on its public page, https://sro.lakeville.example.gov/public/lakeville-pd');
  });

  it('says to keep the key with the file when the public page is off', () => {
    const message = renderWitnessMessage({ ...input, publicPageUrl: undefined });
    expect(message.text).not.toContain('/public/');
    expect(message.text).toContain('has not turned its public page on, so keep this key with the file');
  });
});
