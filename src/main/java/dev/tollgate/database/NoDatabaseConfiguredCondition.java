package dev.tollgate.database;

import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.ConfigurationCondition;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when neither {@code spring.r2dbc.url} nor another source (e.g. a test container) names a database. */
final class NoDatabaseConfiguredCondition implements ConfigurationCondition {

    @Override
    public ConfigurationPhase getConfigurationPhase() {
        return ConfigurationPhase.REGISTER_BEAN;
    }

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String url = context.getEnvironment().getProperty("spring.r2dbc.url");
        if (url != null && !url.isBlank()) {
            return false;
        }
        return context.getBeanFactory() == null
                || context.getBeanFactory().getBeanNamesForType(R2dbcConnectionDetails.class, true, false).length == 0;
    }

}
