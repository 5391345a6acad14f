package dev.tollgate.common;

import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Sha256Tests {

    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void hashesAreFipsTestVectorsCallAfterCall() {
        // Each call starts from a fresh digest: state left by one call would change the next one's hash.
        assertThat(hex("abc")).isEqualTo(ABC);
        assertThat(hex("")).isEqualTo(EMPTY);
        assertThat(hex("abc")).isEqualTo(ABC);
    }

    @Test
    void callsOnManyThreadsDoNotShareADigest() {
        List<String> hashes = IntStream.range(0, 2_000).parallel()
            .mapToObj(i -> hex(i % 2 == 0 ? "abc" : ""))
            .toList();

        for (int i = 0; i < hashes.size(); i++) {
            assertThat(hashes.get(i)).isEqualTo(i % 2 == 0 ? ABC : EMPTY);
        }
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(Sha256.of(text));
    }

}
