package dev.tollgate.database;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The first-run database keeps its data in the data folder across restarts. */
class EmbeddedPostgresServerTests {

    @Test
    void dataSurvivesARestart(@TempDir Path dataDir) throws Exception {
        EmbeddedPostgresServer first = new EmbeddedPostgresServer(dataDir, 0);
        try (Connection connection = connect(first); Statement sql = connection.createStatement()) {
            sql.execute("create table survivor (name text)");
            sql.execute("insert into survivor values ('still here')");
        }
        finally {
            first.destroy();
        }

        EmbeddedPostgresServer second = new EmbeddedPostgresServer(dataDir, 0);
        try (Connection connection = connect(second); Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("select name from survivor")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("still here");
        }
        finally {
            second.destroy();
        }
        assertThat(dataDir.resolve("pgdata").resolve("PG_VERSION")).exists();
    }

    private static Connection connect(EmbeddedPostgresServer server) throws Exception {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/postgres", "postgres", "");
    }

}
