import type { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from '../core';
import { documentationRangeOf, exampleDomainOf } from '../../policies/reserved-values';

/** What the synth-time placeholder check reads from the platform props. */
export interface PlaceholderCandidates {
  readonly authorizedIpRanges?: readonly string[];
  readonly alertEmails: readonly { readonly emailAddress: string }[];
  readonly publisherEmail: string;
  readonly sshPublicKeys?: readonly string[];
}

const literal = (v: string) => !Token.isUnresolved(v);

/**
 * Whether the base64 part of an OpenSSH public key line decodes to text: a real key's blob
 * carries random key material, which is not valid UTF-8 (Terraform's `base64decode` makes the
 * same test in the deploy-input validation).
 */
export function sshKeyBlobIsText(key: string): boolean {
  const blob = key.trim().split(/\s+/)[1] ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(blob, 'base64'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Rejects, in a production environment, literal values that are placeholders: documentation IP
 * ranges (RFC 5737, RFC 3849), example e-mail domains (RFC 2606, RFC 6761) and SSH keys whose
 * blob is text. Tokens (Terraform variables) pass: their validation blocks decide at plan time.
 */
export function rejectPlaceholders(scope: IConstruct, props: PlaceholderCandidates): void {
  (props.authorizedIpRanges ?? []).filter(literal).forEach((r, i) => {
    const doc = documentationRangeOf(r);
    if (doc) {
      throw new ValidationError(
        scope,
        `aks.authorizedIpRanges[${i}]`,
        r,
        `a production api server authorizes real networks; ${r} overlaps the documentation range ${doc}`,
      );
    }
  });
  props.alertEmails.forEach((e, i) => {
    const example = literal(e.emailAddress) ? exampleDomainOf(e.emailAddress) : undefined;
    if (example) {
      throw new ValidationError(
        scope,
        `monitoring.alertEmails[${i}].emailAddress`,
        e.emailAddress,
        `production alerts go to a real mailbox, not to the example domain ${example}`,
      );
    }
  });
  const publisher = literal(props.publisherEmail)
    ? exampleDomainOf(props.publisherEmail)
    : undefined;
  if (publisher) {
    throw new ValidationError(
      scope,
      'apiManagement.publisherEmail',
      props.publisherEmail,
      `a production publisher e-mail is a real mailbox, not in the example domain ${publisher}`,
    );
  }
  (props.sshPublicKeys ?? []).filter(literal).forEach((k, i) => {
    if (sshKeyBlobIsText(k)) {
      throw new ValidationError(
        scope,
        `backbone.sshPublicKeys[${i}]`,
        k,
        'an openssh public key whose base64 part is key material; this one decodes to plain text',
      );
    }
  });
}
