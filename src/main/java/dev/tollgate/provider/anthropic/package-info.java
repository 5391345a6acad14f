/**
 * The Anthropic Messages API ({@code POST /v1/messages}) behind Tollgate's OpenAI-shaped {@code ChatProvider}
 * contract: pure translators for requests, answers, streams and errors, wired by {@link AnthropicChatProvider}.
 */
@NullMarked
package dev.tollgate.provider.anthropic;

import org.jspecify.annotations.NullMarked;
