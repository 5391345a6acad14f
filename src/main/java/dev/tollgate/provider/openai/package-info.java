@NullMarked
package dev.tollgate.provider.openai;

import org.jspecify.annotations.NullMarked;
