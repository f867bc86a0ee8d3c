/**
 * What must never reach a log line: secrets (by field name) and full phone
 * numbers (by shape, wherever they appear, since a phone number is also the
 * user id on SMS and WhatsApp and so turns up in ids, keys and messages).
 */

/** Field names whose values are secrets, matched case-insensitively at any depth. */
const SECRET_FIELD = /(pass(word)?|secret|token|authorization|api[-_]?key|auth[-_]?token|cookie|signature|credential)/i;

// +33612345678, +1-555-123-4567, whatsapp:+15551234567, 06 12 34 56 78, 33612345678@c.us:
// 8 to 15 digits. Dashes count as separators only after a +, so that dates
// such as 2026-11-23 in a message are left alone. An underscore before the digits
// does not protect them: WhatsApp message ids are false_33612345678@c.us_3EB0...
const PHONE = /(?:\+\d(?:[\s.-]?\d){7,14}|(?<![A-Za-z0-9.+-])\d(?:[\s.]?\d){7,14})(?!\w)/g;

/** Keeps the country prefix and the last two digits: enough to tell numbers apart in a log, not to call one. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return phone;
  const lead = phone.trim().startsWith('+') ? '+' : '';
  return `${lead}${digits.slice(0, 2)}${'•'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

export function maskPhonesInText(text: string): string {
  return text.replace(PHONE, (match) => maskPhone(match));
}

export function redactForLog(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return maskPhonesInText(value);
  if (Array.isArray(value)) return value.map((item) => redactForLog(item, depth + 1));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: maskPhonesInText(value.message),
      stack: value.stack && maskPhonesInText(value.stack),
    };
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] =
        SECRET_FIELD.test(key) && inner !== undefined && inner !== null ? '[redacted]' : redactForLog(inner, depth + 1);
    }
    return out;
  }
  return value;
}
