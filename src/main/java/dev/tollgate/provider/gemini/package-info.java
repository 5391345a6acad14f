/**
 * Google's Gemini API ({@code generateContent}, {@code streamGenerateContent?alt=sse}, {@code batchEmbedContents}):
 * provider type {@code gemini}.
 */
@NullMarked
package dev.tollgate.provider.gemini;

import org.jspecify.annotations.NullMarked;
