package dev.tollgate.ratelimit;

import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.PropertyResolver;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when {@code spring.data.redis.url} is set to something. Redis is optional: without that URL nothing in
 * Tollgate connects to it (an empty value, as a template may leave it, counts as unset).
 */
public final class RedisConfiguredCondition implements Condition {

    static final String URL_PROPERTY = "spring.data.redis.url";

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return isConfigured(context.getEnvironment());
    }

    public static boolean isConfigured(PropertyResolver properties) {
        return StringUtils.hasText(properties.getProperty(URL_PROPERTY));
    }

}
