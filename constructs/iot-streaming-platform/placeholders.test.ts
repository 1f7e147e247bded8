import { Lazy } from 'cdktf';
import { testScope } from '../../test/construct-helpers';
import { ValidationError } from '../core';
import { rejectPlaceholders, sshKeyBlobIsText } from './placeholders';
import type { PlaceholderCandidates } from './placeholders';

const REAL_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOqK8ttoVxBdfvswfvjkBMKLh4aQHWWsbmJXzEGQ+UVk ops-break-glass';
/** The key prod's environment data used to carry: its blob is "…rwofixop-platform-break-glass". */
const TEXT_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJ3b2ZpeG9wLXBsYXRmb3JtLWJyZWFrLWdsYXNz platform-break-glass';

const clean: PlaceholderCandidates = {
  authorizedIpRanges: ['20.61.14.0/28'],
  alertEmails: [{ emailAddress: 'oncall@contoso.com' }],
  publisherEmail: 'iot-platform@contoso.com',
  sshPublicKeys: [REAL_KEY],
};

function check(over: Partial<PlaceholderCandidates>): void {
  const { stack } = testScope();
  rejectPlaceholders(stack, { ...clean, ...over });
}

describe('rejectPlaceholders (production environments)', () => {
  it('accepts real values', () => {
    expect(() => check({})).not.toThrow();
  });

  it.each<[string, Partial<PlaceholderCandidates>, RegExp]>([
    [
      'a documentation range as authorized range (dev used 203.0.113.0/24)',
      { authorizedIpRanges: ['20.61.14.0/28', '203.0.113.0/24'] },
      /invalid aks\.authorizedIpRanges\[1\] "203\.0\.113\.0\/24": .*documentation range 203\.0\.113\.0\/24/,
    ],
    [
      'an alert receiver at example.com',
      { alertEmails: [{ emailAddress: 'iot-platform-oncall@example.com' }] },
      /invalid monitoring\.alertEmails\[0\]\.emailAddress .*example domain example\.com/,
    ],
    [
      'a publisher in a reserved TLD',
      { publisherEmail: 'iot@platform.test' },
      /invalid apiManagement\.publisherEmail .*example domain \.test/,
    ],
    [
      'an SSH key whose blob decodes to text',
      { sshPublicKeys: [TEXT_KEY] },
      /invalid backbone\.sshPublicKeys\[0\] .*decodes to plain text/,
    ],
  ])('rejects %s', (_, over, message) => {
    expect(() => check(over)).toThrow(ValidationError);
    expect(() => check(over)).toThrow(message);
  });

  it('leaves deploy-time inputs (tokens) to their Terraform validation', () => {
    const token = (v: string) => Lazy.stringValue({ produce: () => v });
    expect(() =>
      check({
        authorizedIpRanges: [token('${var.r}')],
        alertEmails: [{ emailAddress: token('${var.e}') }],
        publisherEmail: token('${var.p}'),
        sshPublicKeys: [token('${var.k}')],
      }),
    ).not.toThrow();
  });
});

describe('sshKeyBlobIsText', () => {
  it('tells key material from text posing as a key', () => {
    expect(sshKeyBlobIsText(TEXT_KEY)).toBe(true);
    expect(sshKeyBlobIsText(REAL_KEY)).toBe(false);
    expect(sshKeyBlobIsText('ssh-rsa')).toBe(false);
  });
});
