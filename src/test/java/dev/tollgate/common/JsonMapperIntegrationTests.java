package dev.tollgate.common;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.jackson.JacksonComponentModule;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.json.JsonMapper;

import dev.tollgate.testsupport.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/** The application's JSON mapper: Boot's, on a factory with per-thread buffer pools ({@code CommonConfiguration}). */
@IntegrationTest
class JsonMapperIntegrationTests {

    @Autowired
    JsonMapper json;

    @Test
    void parsersAndGeneratorsTakeTheirBuffersFromAPerThreadPool() {
        assertThat(json.tokenStreamFactory()._getRecyclerPool()).isSameAs(JsonRecyclerPools.threadLocalPool());
    }

    @Test
    void bootsCustomizersStillShapeTheMapper() {
        assertThat(json.registeredModules()).anyMatch(JacksonComponentModule.class::isInstance);
    }
}
