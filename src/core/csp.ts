// Some pages post forms that end in a redirect to another origin (an OIDC relying party, a checkout's return
// URL); browsers apply CSP form-action to that redirect too, so those pages allow that origin as a form target.

/** The CSP with extra origins appended to its form-action directive (added when absent). */
export function withFormActionOrigins(csp: string, origins: string[]): string {
  if (!origins.length) return csp;
  const directives = csp.split(';').map((d) => d.trim()).filter(Boolean);
  const i = directives.findIndex((d) => d.split(/\s+/)[0] === 'form-action');
  if (i === -1) return [...directives, `form-action 'self' ${origins.join(' ')}`].join(';');
  const sources = new Set(directives[i]!.split(/\s+/));
  for (const origin of origins) sources.add(origin);
  directives[i] = [...sources].join(' ');
  return directives.join(';');
}

/** The origin of a URL as a one-element list, or none when it is not a URL. */
export function originsOf(url: unknown): string[] {
  try {
    return typeof url === 'string' ? [new URL(url).origin] : [];
  } catch {
    return [];
  }
}
