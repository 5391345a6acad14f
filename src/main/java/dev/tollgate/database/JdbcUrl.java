package dev.tollgate.database;

import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.r2dbc.autoconfigure.R2dbcConnectionDetails;
import org.springframework.core.env.Environment;

/**
 * The JDBC coordinates Flyway needs, derived from the R2DBC connection the application uses, so that an operator
 * configures the database once ({@code spring.r2dbc.url}); {@code spring.flyway.url} overrides it when set.
 */
record JdbcUrl(String url, @Nullable String user, @Nullable String password) {

    static JdbcUrl from(R2dbcConnectionDetails details, Environment environment) {
        String explicit = environment.getProperty("spring.flyway.url");
        ConnectionFactoryOptions options = details.getConnectionFactoryOptions();
        String user = firstNonNull(environment.getProperty("spring.flyway.user"), text(options, ConnectionFactoryOptions.USER));
        String password = firstNonNull(environment.getProperty("spring.flyway.password"),
                text(options, ConnectionFactoryOptions.PASSWORD));
        if (explicit != null && !explicit.isBlank()) {
            return new JdbcUrl(explicit, user, password);
        }
        String host = text(options, ConnectionFactoryOptions.HOST);
        Object port = options.getValue(ConnectionFactoryOptions.PORT);
        String database = text(options, ConnectionFactoryOptions.DATABASE);
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host == null ? "localhost" : host);
        if (port != null) {
            url.append(':').append(port);
        }
        url.append('/').append(database == null ? "" : database);
        Object ssl = options.getValue(ConnectionFactoryOptions.SSL);
        if (ssl != null && Boolean.parseBoolean(ssl.toString())) {
            url.append("?sslmode=require");
        }
        return new JdbcUrl(url.toString(), user, password);
    }

    private static @Nullable String text(ConnectionFactoryOptions options, Option<?> option) {
        Object value = options.getValue(option);
        return value == null ? null : value.toString();
    }

    private static @Nullable String firstNonNull(@Nullable String first, @Nullable String second) {
        return first != null ? first : second;
    }

}
