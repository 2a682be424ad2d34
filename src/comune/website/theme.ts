// A tenant's colour applied to the Bootstrap Italia header and primary buttons.

/** WCAG 2.x relative luminance of an sRGB colour "#rrggbb". */
export function relativeLuminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio between two colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** White text on the tenant colour must reach WCAG AA for normal text (1.4.3: 4.5:1). */
export function isReadableOnWhiteText(hex: string): boolean {
  return contrastRatio(hex, '#ffffff') >= 4.5;
}

export function themeCss(primary: string): string {
  const color = /^#[0-9a-f]{6}$/i.test(primary) && isReadableOnWhiteText(primary) ? primary : '#0066cc';
  return `.it-header-center-wrapper, .it-header-navbar-wrapper { background-color: ${color}; }
.btn-primary { background-color: ${color}; border-color: ${color}; }
a:not(.btn):not(.nav-link) { color: ${color}; }
.it-footer a:not(.btn):not(.nav-link), .it-footer .it-brand-title { color: #ffffff; }
`;
}
