/* htmx settings that must hold on every page, loaded right after htmx (both deferred, so in order).
 *
 * htmx 2 injects a <style> for .htmx-indicator unless told not to; the Content-Security-Policy allows
 * no inline styles, so the same rules live in css/app.css instead. This is a script rather than a
 * <meta name="htmx-config"> because htmx reads only the first such meta, and pages keep their own.
 */
(function () {
  "use strict";
  if (window.htmx) window.htmx.config.includeIndicatorStyles = false;
})();
