/** `scheme://user:password@host` → `scheme://user:***@host`. */
const credentialsInUrl = /([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@\s]+@/gi;
/** `password=secret` or `"password":"secret"` in messages. */
const passwordField = /("?password"?\s*[:=]\s*"?)[^"\s,}]+/gi;

/** Removes credentials from text about to be logged. */
export function redact(text: string): string {
  return text.replace(credentialsInUrl, '$1***@').replace(passwordField, '$1***');
}
