package dev.tollgate.database;

import io.r2dbc.spi.ConnectionFactoryOptions;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Chooses the PostgreSQL Tollgate talks to (the configured one, or an embedded one when none is configured) and
 * brings its schema up to date before anything else touches it.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    @Bean
    DatabaseMigrations databaseMigrations(R2dbcConnectionDetails connectionDetails, Environment environment) {
        DatabaseMigrations migrations = new DatabaseMigrations(JdbcUrl.from(connectionDetails, environment));
        migrations.migrate();
        return migrations;
    }

    @Configuration(proxyBeanMethods = false)
    @Conditional(NoDatabaseConfiguredCondition.class)
    @ConditionalOnProperty(name = "tollgate.database.embedded", havingValue = "true", matchIfMissing = true)
    static class EmbeddedDatabaseConfiguration {

        @Bean
        EmbeddedPostgresServer embeddedPostgresServer(DatabaseProperties properties) {
            return new EmbeddedPostgresServer(properties.dataDir(), properties.embeddedPort());
        }

        @Bean
        R2dbcConnectionDetails embeddedPostgresConnectionDetails(EmbeddedPostgresServer server) {
            ConnectionFactoryOptions options = ConnectionFactoryOptions.builder()
                .option(ConnectionFactoryOptions.DRIVER, "postgresql")
                .option(ConnectionFactoryOptions.HOST, "127.0.0.1")
                .option(ConnectionFactoryOptions.PORT, server.port())
                .option(ConnectionFactoryOptions.DATABASE, "postgres")
                .option(ConnectionFactoryOptions.USER, "postgres")
                .option(ConnectionFactoryOptions.PASSWORD, "")
                .build();
            return () -> options;
        }

    }

}
