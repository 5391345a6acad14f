/** The dashboard: serving the React app (built from {@code frontend/}) and its client-side routes. */
@NullMarked
package dev.tollgate.dashboard;

import org.jspecify.annotations.NullMarked;
