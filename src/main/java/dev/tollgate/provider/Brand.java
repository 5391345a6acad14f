package dev.tollgate.provider;

/**
 * What a relayed answer or chunk is given in place of the provider's {@code id} and {@code model}: the generation's
 * public id and the model the client knows, each also as the JSON string (quotes included) spliced into the provider's
 * bytes. Made once per call: quoting them for every chunk was 7% of what a stream allocated (README
 * "Benchmarks").
 */
public record Brand(String id, String model, byte[] quotedId, byte[] quotedModel) {

    public static Brand of(String id, String model) {
        return new Brand(id, model, ByteSplice.quoted(id), ByteSplice.quoted(model));
    }

}
