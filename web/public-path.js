// Bootstrap Italia loads its fonts from this path; our fonts.css declares them too, so the CSP can forbid inline styles.
window.__PUBLIC_PATH__ = '/assets/bootstrap-italia/fonts';
// The bundled video.js would inject <style> elements, which the CSP (style-src 'self') refuses.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
