import { domainToASCII } from 'node:url';

/**
 * An email address as the API stores and compares it: Unicode NFKC, lower case, surrounding
 * whitespace trimmed, and the domain in its ASCII (IDNA) form. Look-alike spellings of one address
 * (full-width letters, `＠`, the ideographic full stop `。`, a soft hyphen or zero-width space in
 * the domain, an internationalised domain in Unicode or in punycode) all become one string, so the
 * consumer-domain check, the stored address, the sign-in match and the lock-out buckets cannot be
 * told apart by spelling.
 *
 * NFKC maps the compatibility characters (`ｇ` → `g`, `＠` → `@`, `．` → `.`); the domain then goes
 * through node:url's domainToASCII (UTS #46: it maps `。` to `.`, drops ignorable characters and
 * lower-cases). A domain it cannot convert is kept as it is: the email() rule then refuses it on
 * sign-up, and it matches no account on sign-in.
 */
export function normalizeEmail(email: string): string {
  const text = email.normalize('NFKC').toLowerCase().trim();
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const domain = domainToASCII(text.slice(at + 1));
  return domain === '' ? text : `${text.slice(0, at + 1)}${domain}`;
}

/**
 * Sign-up refuses a personal provider's address: an address whose domain is one of
 * `consumerDomains` (CONSUMER_EMAIL_DOMAINS, default in lib/runtime/config.ts) or a subdomain of
 * one. `email` is normalised (normalizeEmail) first, so no look-alike spelling slips past.
 */
export function isConsumerAddress(email: string, consumerDomains: readonly string[]): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return consumerDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
}
