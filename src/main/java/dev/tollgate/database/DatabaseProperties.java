package dev.tollgate.database;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the embedded PostgreSQL keeps its data when no {@code spring.r2dbc.url} is configured.
 *
 * @param dataDir the folder that holds Tollgate's local state; the database lives in {@code <dataDir>/pgdata}
 * @param embedded whether to start an embedded PostgreSQL when no external one is configured
 * @param embeddedPort the port of the embedded PostgreSQL; 0 picks a free one at each start
 */
@ConfigurationProperties("tollgate.database")
public record DatabaseProperties(@DefaultValue("./.tollgate") Path dataDir, @DefaultValue("true") boolean embedded,
        @DefaultValue("0") int embeddedPort) {
}
